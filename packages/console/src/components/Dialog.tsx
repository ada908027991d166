/**
 * A modal dialog in the page (the browser's <dialog>, opened with showModal): named by its
 * heading, the rest of the page inert while it is open, keyboard focus on its first field (or
 * button), Escape closes it, and focus goes back to what opened it. Rendered only while open:
 * mounting opens it. `alert`: a dialog that asks before something that cannot be taken back
 * (role `alertdialog`), described by the element `describedBy` names.
 */
import { useEffect, useId, useRef, type ReactNode } from 'react';
import { useI18n } from '../i18n/i18n';

export function Dialog({ title, onClose, alert = false, describedBy, children }: { title: string; onClose(): void; alert?: boolean; describedBy?: string; children: ReactNode }) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  useEffect(() => {
    const d = ref.current!;
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    d.showModal();
    return () => {
      if (d.open) d.close();
      opener?.focus();
    };
  }, []);
  return (
    <dialog
      ref={ref}
      className="modal"
      role={alert ? 'alertdialog' : undefined}
      aria-labelledby={titleId}
      aria-describedby={describedBy}
      onCancel={(e) => {
        // Escape: the owner of the dialog decides (it unmounts it, which closes it).
        e.preventDefault();
        onClose();
      }}
    >
      <h2 id={titleId}>{title}</h2>
      {children}
    </dialog>
  );
}

/** A form dialog's buttons: Cancel, then the submit button that says what it does (waiting while `busy`). */
export function DialogFormButtons({ onCancel, action, busy, danger = false }: { onCancel(): void; action: string; busy: boolean; danger?: boolean }) {
  const { t } = useI18n();
  return (
    <div className="dialog-actions">
      <button type="button" className="secondary" onClick={onCancel}>
        {t('common.cancel')}
      </button>
      <button type="submit" className={danger ? 'danger' : undefined} disabled={busy}>
        {action}
      </button>
    </div>
  );
}
