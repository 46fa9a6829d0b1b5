import { useState } from 'preact/hooks';
import { ApiError, request } from '../api.ts';
import { LangSwitch } from '../components/Layout.tsx';
import { useWords } from '../i18n.tsx';
import type { Session } from '../session.ts';

export function Login({ onLogin }: { onLogin: (session: Session) => void }) {
  const w = useWords();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      onLogin(await request<Session>('/api/auth/login', { json: { username, password } }));
    } catch (e) {
      const status = e instanceof ApiError ? e.status : 0;
      setError(
        status === 401 || status === 400
          ? w.t('login.wrong')
          : status === 429
            ? w.t('login.too-many')
            : w.t('error.failed', { message: (e as Error).message }),
      );
    } finally {
      setBusy(false);
    }
  };
  return (
    <main id="main" class="login">
      <div class="login-box">
        <h1>Sumi</h1>
        <p class="muted">{w.t('login.tagline')}</p>
        <form onSubmit={submit}>
          <label>
            {w.t('login.username')}
            <input
              name="username"
              autocomplete="username"
              required
              value={username}
              onInput={(e) => setUsername(e.currentTarget.value)}
            />
          </label>
          <label>
            {w.t('login.password')}
            <input
              name="password"
              type="password"
              autocomplete="current-password"
              required
              value={password}
              onInput={(e) => setPassword(e.currentTarget.value)}
            />
          </label>
          {error && (
            <p class="error" role="alert">
              {error}
            </p>
          )}
          <button type="submit" class="primary" disabled={busy}>
            {w.t('login.submit')}
          </button>
        </form>
        <p class="muted">{w.t('login.first-run')}</p>
        <LangSwitch />
      </div>
    </main>
  );
}
