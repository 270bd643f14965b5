import { useEffect, useRef, useState } from "react";
import { subscribe, type ApiError } from "./client";
import type { TypedDocumentString } from "./sdk";

/**
 * Keeps a typed subscription open while the component is mounted (and `enabled`),
 * calling `onData` for every event; returns the last error, if any.
 */
export function useLive<R, V>(
  document: TypedDocumentString<R, V>,
  variables: V,
  onData: (data: R) => void,
  enabled = true,
): ApiError | null {
  const [error, setError] = useState<ApiError | null>(null);
  const handler = useRef(onData);
  handler.current = onData;
  const key = JSON.stringify(variables);
  useEffect(() => {
    if (!enabled) return;
    setError(null);
    return subscribe(
      document,
      JSON.parse(key) as V,
      (data) => {
        setError(null);
        handler.current(data);
      },
      setError,
    );
  }, [document, key, enabled]);
  return error;
}
