import { useCallback, useContext, useEffect, useState } from 'preact/hooks';
import { request } from './api.ts';
import { LangContext } from './i18n.tsx';

export interface Resource<T> {
  data: T | undefined;
  error: Error | undefined;
  loading: boolean;
  reload: () => void;
}

/** GETs `path` (again when the language changes) (null: nothing yet) and keeps the answer; a newer path wins over a slower older one. */
export function useResource<T>(path: string | null): Resource<T> {
  const [state, setState] = useState<{ data?: T; error?: Error; loading: boolean }>({
    loading: path !== null,
  });
  const [generation, setGeneration] = useState(0);
  // Answers carry words in the chosen language: a switch asks again.
  const { lang } = useContext(LangContext);
  useEffect(() => {
    if (path === null) return;
    let current = true;
    setState((s) => ({ data: s.data, loading: true }));
    request<T>(path).then(
      (data) => current && setState({ data, loading: false }),
      (error: Error) => current && setState({ error, loading: false }),
    );
    return () => {
      current = false;
    };
  }, [path, generation, lang]);
  const reload = useCallback(() => setGeneration((g) => g + 1), []);
  return { data: state.data, error: state.error, loading: state.loading, reload };
}
