/** Runs a change (a POST/DELETE), keeps its error, and reloads what it changed on success. */
import { useCallback, useState } from 'react';

export function useAction(after?: () => void) {
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const run = useCallback(
    async (call: () => Promise<unknown>): Promise<boolean> => {
      setError(undefined);
      setBusy(true);
      try {
        await call();
        after?.();
        return true;
      } catch (e) {
        setError(e);
        return false;
      } finally {
        setBusy(false);
      }
    },
    [after],
  );
  return { error, busy, run };
}
