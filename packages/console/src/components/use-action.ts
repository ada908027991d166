/** Runs a change (a POST/DELETE), keeps its error, and reloads what it changed on success. */
import { useCallback, useState, type FormEvent } from 'react';

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
  /**
   * A form's onSubmit that sends what `call` makes of the form's fields and empties the form once
   * the change succeeded; after a failure the fields stay as typed, to be corrected and sent again.
   */
  const submit = (call: (fields: FormData) => Promise<unknown>) => (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = e.currentTarget;
    const fields = new FormData(form);
    void run(() => call(fields)).then((ok) => ok && form.reset());
  };
  return { error, busy, run, submit };
}
