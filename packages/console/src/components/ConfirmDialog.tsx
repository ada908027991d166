/**
 * Asking before an action that cannot be taken back (revoking a key, removing a member, archiving
 * a project), in the page instead of the browser's confirm(): a {@link Dialog} (role
 * `alertdialog`) whose heading asks the question and whose text says what follows, with Cancel,
 * where the keyboard starts (Enter or Escape there changes nothing), and a button that says what
 * it does ("Revoke key"), never "OK". The action runs from the dialog: while it runs the button
 * waits, a failure is said in the dialog, and the dialog closes once it succeeded.
 *
 * ```tsx
 * const confirm = useConfirmation(list.reload);
 * <button onClick={() => confirm.ask({ title, message, action: t('keys.revokeSubmit'), run: () => revoke(key) })}>…
 * {confirm.dialog}
 * ```
 */
import { useCallback, useId, useState, type ReactNode } from 'react';
import { useI18n } from '../i18n/i18n';
import { Dialog } from './Dialog';
import { ErrorNote } from './ui';
import { useAction } from './use-action';

export interface Confirmation {
  /** The question: "Revoke key “ci”?" */
  title: string;
  /** What follows from it: "Requests using it are refused at once." */
  message: string;
  /** The confirm button's words, the action itself: "Revoke key". */
  action: string;
  /** The change (a DELETE or POST). */
  run(): Promise<unknown>;
}

/** A page's confirmations: `ask` opens the dialog, rendered where `dialog` is; `after` runs once an action succeeded. */
export function useConfirmation(after?: () => void): { ask(c: Confirmation): void; dialog: ReactNode } {
  const [asked, setAsked] = useState<Confirmation>();
  const close = useCallback(() => setAsked(undefined), []);
  const done = useCallback(() => {
    setAsked(undefined);
    after?.();
  }, [after]);
  return { ask: setAsked, dialog: asked ? <ConfirmDialog {...asked} onClose={close} onDone={done} /> : null };
}

function ConfirmDialog({ title, message, action, run, onClose, onDone }: Confirmation & { onClose(): void; onDone(): void }) {
  const { t } = useI18n();
  const act = useAction();
  const messageId = useId();
  return (
    <Dialog title={title} onClose={onClose} alert describedBy={messageId}>
      <p id={messageId}>{message}</p>
      <ErrorNote error={act.error} />
      <div className="dialog-actions">
        <button type="button" className="secondary" onClick={onClose}>
          {t('common.cancel')}
        </button>
        <button type="button" className="danger" disabled={act.busy} onClick={() => void act.run(run).then((ok) => ok && onDone())}>
          {action}
        </button>
      </div>
    </Dialog>
  );
}
