/**
 * @module <Confirm>: the confirmation every destructive action goes through. A native modal <dialog>
 * (showModal): the rest of the page is inert so focus stays inside, Escape cancels, and focus returns
 * to the button that opened it. Focus starts on Cancel, so a stray Enter does not destroy anything.
 */
import type { ComponentChildren } from "preact";
import { useEffect, useId, useRef } from "preact/hooks";

export interface ConfirmProps {
  /** Shown while true. */
  open: boolean;
  title: string;
  children?: ComponentChildren;
  /** Label of the confirming button, e.g. "Remove instance". */
  confirmLabel: string;
  /** Styles the confirming button as destructive (default true). */
  danger?: boolean;
  onConfirm(): void;
  onCancel(): void;
}

/** A modal asking to confirm; `onCancel` on Cancel, Escape or a click outside. */
export function Confirm({ open, title, children, confirmLabel, danger = true, onConfirm, onCancel }: ConfirmProps) {
  const dialog = useRef<HTMLDialogElement>(null);
  const cancel = useRef<HTMLButtonElement>(null);
  const titleId = useId(); // several dialogs may be mounted at once
  useEffect(() => {
    const el = dialog.current;
    if (!el) return;
    if (open && !el.open) {
      el.showModal();
      cancel.current?.focus();
    } else if (!open && el.open) el.close();
  }, [open]);
  return (
    <dialog
      ref={dialog}
      class="confirm"
      aria-labelledby={titleId}
      onCancel={(e) => {
        e.preventDefault();
        onCancel();
      }}
      onClick={(e) => {
        if (e.target === dialog.current) onCancel();
      }}
    >
      <h2 id={titleId}>{title}</h2>
      <div class="confirm-body">{children}</div>
      <div class="actions">
        <button type="button" ref={cancel} onClick={onCancel}>
          Cancel
        </button>
        <button type="button" class={danger ? "danger" : "primary"} onClick={onConfirm}>
          {confirmLabel}
        </button>
      </div>
    </dialog>
  );
}
