import { useState } from 'preact/hooks';
import { ApiError, request, setCsrfToken } from '../api.ts';
import { useWords } from '../i18n.tsx';
import type { Session } from '../session.ts';

/** The signed-in user's own account: who they are, and changing their password. */
export function Account({ session }: { session: Session }) {
  const w = useWords();
  const [fields, setFields] = useState({ current: '', password: '', repeat: '' });
  const [message, setMessage] = useState<{ ok: boolean; text: string }>();
  const [busy, setBusy] = useState(false);
  const field = (name: keyof typeof fields) => ({
    id: `account-${name}`,
    name,
    type: 'password' as const,
    required: true,
    value: fields[name],
    onInput: (e: Event) => setFields({ ...fields, [name]: (e.currentTarget as HTMLInputElement).value }),
  });
  const submit = async (event: Event) => {
    event.preventDefault();
    setMessage(undefined);
    if (fields.password !== fields.repeat) {
      setMessage({ ok: false, text: w.t('account.mismatch') });
      return;
    }
    setBusy(true);
    try {
      const next = await request<Session>('/api/auth/password', {
        json: { current: fields.current, password: fields.password },
      });
      // The session goes on under a new id and CSRF token; every other one has ended.
      setCsrfToken(next.csrfToken ?? undefined);
      setFields({ current: '', password: '', repeat: '' });
      setMessage({ ok: true, text: w.t('account.changed') });
    } catch (e) {
      // The server words its refusals (wrong password, too short, locked) in the chosen language.
      setMessage({
        ok: false,
        text: e instanceof ApiError ? e.message : w.t('error.failed', { message: (e as Error).message }),
      });
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <h1>{w.t('account.title')}</h1>
      <dl class="figures">
        <div>
          <dt>{w.t('login.username')}</dt>
          <dd>{session.user.username}</dd>
        </div>
        <div>
          <dt>{w.t('settings.role')}</dt>
          <dd>{w.tMaybe('role.', String(session.user.role ?? ''))}</dd>
        </div>
      </dl>
      <section aria-labelledby="password-h">
        <h2 id="password-h">{w.t('account.password')}</h2>
        <p class="muted">{w.t('account.password-intro')}</p>
        <form class="stacked-form" onSubmit={submit}>
          {/* A hidden user name lets password managers file the new password under the right account. */}
          <input type="text" name="username" autocomplete="username" value={session.user.username} hidden />
          <label for="account-current">{w.t('account.current')}</label>
          <input {...field('current')} autocomplete="current-password" />
          <label for="account-password">{w.t('account.new')}</label>
          <input {...field('password')} autocomplete="new-password" />
          <label for="account-repeat">{w.t('account.repeat')}</label>
          <input {...field('repeat')} autocomplete="new-password" />
          {message && (
            <p class={message.ok ? 'ok' : 'error'} role={message.ok ? 'status' : 'alert'}>
              {message.text}
            </p>
          )}
          <button type="submit" class="primary" disabled={busy}>
            {w.t('account.submit')}
          </button>
        </form>
      </section>
    </>
  );
}
