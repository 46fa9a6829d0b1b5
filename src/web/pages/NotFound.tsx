import { useWords } from '../i18n.tsx';

export function NotFound() {
  const w = useWords();
  return (
    <>
      <h1>{w.t('error.not-found')}</h1>
      <p>
        <a href="#/domains">{w.t('nav.domains')}</a>
      </p>
    </>
  );
}
