import { render } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { onSessionEnd, request, setCsrfToken, setLanguage } from './api.ts';
import { Layout } from './components/Layout.tsx';
import { initialLang, LangContext, saveLang } from './i18n.tsx';
import { Account } from './pages/Account.tsx';
import { Domain } from './pages/Domain.tsx';
import { Domains } from './pages/Domains.tsx';
import { Failure, Failures } from './pages/Failures.tsx';
import { Login } from './pages/Login.tsx';
import { NotFound } from './pages/NotFound.tsx';
import { Report, Reports } from './pages/Reports.tsx';
import { Sender } from './pages/Sender.tsx';
import { Settings } from './pages/Settings.tsx';
import { Survey, Surveys } from './pages/Surveys.tsx';
import { TlsReports } from './pages/TlsReports.tsx';
import { Upload } from './pages/Upload.tsx';
import { parseHash, type Route } from './router.ts';
import type { Session } from './session.ts';
import './style.css';

function Page({ route, session }: { route: Route; session: Session }) {
  switch (route.page) {
    case 'domains':
      return <Domains />;
    case 'domain':
      return <Domain domain={route.domain} />;
    case 'sender':
      return <Sender domain={route.domain} ip={route.ip} />;
    case 'reports':
      return <Reports />;
    case 'report':
      return <Report id={route.id} />;
    case 'failures':
      return <Failures />;
    case 'failure':
      return <Failure id={route.id} />;
    case 'surveys':
      return <Surveys />;
    case 'survey':
      return <Survey id={route.id} />;
    case 'upload':
      return <Upload />;
    case 'settings':
      return <Settings />;
    case 'account':
      return <Account session={session} />;
    case 'tls':
      return <TlsReports domain={route.domain} />;
    case 'not-found':
      return <NotFound />;
  }
}

/** The page named by the URL hash, following its changes. */
function useRoute(): Route {
  const [route, setRoute] = useState(() => parseHash(location.hash));
  useEffect(() => {
    const update = () => setRoute(parseHash(location.hash));
    window.addEventListener('hashchange', update);
    return () => window.removeEventListener('hashchange', update);
  }, []);
  return route;
}

function App() {
  const [lang, setLangState] = useState(initialLang);
  // undefined: still asking the server; null: signed out.
  const [session, setSession] = useState<Session | null>();
  const route = useRoute();

  setLanguage(lang);
  setLanguage(lang);
  const setLang = (next: typeof lang) => {
    saveLang(next);
    setLanguage(next);
    setLanguage(next);
    setLangState(next);
  };
  const signIn = (next: Session | null) => {
    setCsrfToken(next?.csrfToken);
    setSession(next);
  };

  useEffect(() => {
    document.documentElement.lang = lang;
    request<Session>('/api/auth/me').then(signIn, () => signIn(null));
    return onSessionEnd(() => signIn(null));
  }, []);

  // Move focus to the new page's content so keyboard and screen reader users follow along.
  // Not on the first page: there the skip link comes first.
  const firstRoute = useRef(true);
  useEffect(() => {
    if (firstRoute.current) {
      firstRoute.current = false;
      return;
    }
    window.scrollTo(0, 0);
    document.getElementById('main')?.focus({ preventScroll: true });
  }, [route]);

  const logout = async () => {
    await request('/api/auth/logout', { method: 'POST' }).catch(() => undefined);
    signIn(null);
  };

  return (
    <LangContext.Provider value={{ lang, setLang }}>
      {session === undefined ? null : session === null ? (
        <Login onLogin={signIn} />
      ) : (
        <Layout route={route} username={session.user.username} onLogout={logout}>
          <Page route={route} session={session} />
        </Layout>
      )}
    </LangContext.Provider>
  );
}

render(<App />, document.getElementById('app')!);
