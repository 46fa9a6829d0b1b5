import type { ComponentChildren } from 'preact';
import { ApiError } from '../api.ts';
import { useWords } from '../i18n.tsx';
import type { Resource } from '../resource.ts';

/** Loading, error or the data: every page section goes through this. */
export function Async<T>({
  resource,
  children,
}: {
  resource: Resource<T>;
  children: (data: T) => ComponentChildren;
}) {
  const w = useWords();
  if (resource.error) return <ErrorBox error={resource.error} />;
  if (resource.data === undefined) {
    return (
      <p class="muted" role="status">
        {w.t('common.loading')}
      </p>
    );
  }
  return <>{children(resource.data)}</>;
}

export function ErrorBox({ error }: { error: Error }) {
  const w = useWords();
  const status = error instanceof ApiError ? error.status : undefined;
  return (
    <p class="error" role="alert">
      {status === 404
        ? w.t('error.not-found')
        : status === 403
          ? w.t('error.forbidden')
          : w.t('error.failed', { message: error.message })}
    </p>
  );
}
