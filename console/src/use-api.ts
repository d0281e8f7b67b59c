/**
 * @module useApi(method, path, body?): loads a JSON answer for a screen with loading/error state and a
 * reload(); `every` re-loads on an interval (for views with no live feed, e.g. nodes).
 */
import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import { api } from "./api";

export interface Loaded<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  reload(): Promise<void>;
}

/** Calls the API when mounted (and when `method`, `path` or the JSON of `body` change). */
export function useApi<T>(method: string, path: string, body?: unknown, every?: number): Loaded<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  const [loading, setLoading] = useState(true);
  const key = `${method} ${path} ${JSON.stringify(body ?? null)}`;
  const latest = useRef(key);
  latest.current = key;
  const reload = useCallback(async () => {
    setLoading(true);
    try {
      const answer = await api<T>(method, path, body);
      if (latest.current === key) {
        setData(answer);
        setError(undefined);
      }
    } catch (err) {
      if (latest.current === key) setError(err);
    } finally {
      if (latest.current === key) setLoading(false);
    }
  }, [key]);
  useEffect(() => {
    void reload();
    if (!every) return;
    const timer = setInterval(() => void reload(), every);
    return () => clearInterval(timer);
  }, [reload, every]);
  return { data, error, loading, reload };
}
