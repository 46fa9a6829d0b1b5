import type { ComponentChildren } from 'preact';
import { useContext } from 'preact/hooks';
import { LangContext, useWords, type WebKey } from '../i18n.tsx';
import type { Route } from '../router.ts';

const NAV: { page: Route['page']; hash: string; label: WebKey; also?: Route['page'][] }[] = [
  { page: 'domains', hash: '#/domains', label: 'nav.domains', also: ['domain', 'sender'] },
  { page: 'reports', hash: '#/reports', label: 'nav.reports', also: ['report'] },
  { page: 'failures', hash: '#/failure-reports', label: 'nav.failures', also: ['failure'] },
  { page: 'tls', hash: '#/tls-reports', label: 'nav.tls' },
  { page: 'surveys', hash: '#/surveys', label: 'nav.surveys', also: ['survey'] },
  { page: 'upload', hash: '#/upload', label: 'nav.upload' },
  { page: 'settings', hash: '#/settings', label: 'nav.settings' },
];

export function LangSwitch() {
  const { lang, setLang } = useContext(LangContext);
  const w = useWords();
  return (
    <fieldset class="lang-switch">
      <legend class="visually-hidden">{w.t('lang.label')}</legend>
      <button type="button" aria-pressed={lang === 'en'} onClick={() => setLang('en')} lang="en">
        English
      </button>
      <button type="button" aria-pressed={lang === 'ja'} onClick={() => setLang('ja')} lang="ja">
        日本語
      </button>
    </fieldset>
  );
}

export function Layout({
  route,
  username,
  onLogout,
  children,
}: {
  route: Route;
  username: string;
  onLogout: () => void;
  children: ComponentChildren;
}) {
  const w = useWords();
  return (
    <>
      <a class="skip-link" href="#main">
        {w.t('nav.skip')}
      </a>
      <header class="top">
        <a class="brand" href="#/domains">
          Sumi
        </a>
        <nav aria-label={w.t('nav.label')}>
          <ul>
            {NAV.map((item) => {
              const current = item.page === route.page || item.also?.includes(route.page);
              return (
                <li key={item.page}>
                  <a href={item.hash} aria-current={current ? 'page' : undefined}>
                    {w.t(item.label)}
                  </a>
                </li>
              );
            })}
          </ul>
        </nav>
        <div class="top-right">
          <LangSwitch />
          <a
            class="user"
            href="#/account"
            title={`${w.t('nav.signed-in-as')} ${username}: ${w.t('nav.account')}`}
            aria-current={route.page === 'account' ? 'page' : undefined}
          >
            {username}
          </a>
          <button type="button" onClick={onLogout}>
            {w.t('nav.logout')}
          </button>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        {children}
      </main>
    </>
  );
}
