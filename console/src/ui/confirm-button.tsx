/**
 * @module <ConfirmButton>: a destructive action's button that asks first through the shared <Confirm>
 * dialog and runs `onConfirm` only on its confirming button. The dialog exists only while open (a table
 * of rows holds one button each, not one dialog each), and focus goes back to the button when it closes.
 */
import type { ComponentChildren } from "preact";
import { useRef, useState } from "preact/hooks";
import { Confirm } from "./confirm";

interface ConfirmButtonProps {
  /** The button's text in the row, e.g. "Delete". */
  label: string;
  /** Its accessible name when the label alone is ambiguous in a table ("Delete user ann"); also the dialog's title. */
  title: string;
  /** What happens, shown in the dialog. */
  children: ComponentChildren;
  /** The confirming button's text, e.g. "Delete user". */
  confirmLabel: string;
  disabled?: boolean;
  onConfirm(): void;
}

export function ConfirmButton({ label, title, children, confirmLabel, disabled, onConfirm }: ConfirmButtonProps) {
  const [open, setOpen] = useState(false);
  const button = useRef<HTMLButtonElement>(null);
  // The visible label must be part of the accessible name (WCAG 2.5.3), so speech users can say it.
  const name = title.toLowerCase().includes(label.toLowerCase()) ? title : `${label}: ${title}`;
  const close = () => {
    setOpen(false);
    button.current?.focus();
  };
  return (
    <>
      <button type="button" ref={button} class="small danger" aria-label={name} disabled={disabled} onClick={() => setOpen(true)}>
        {label}
      </button>
      {open && (
        <Confirm
          open
          title={`${title}?`}
          confirmLabel={confirmLabel}
          onCancel={close}
          onConfirm={() => {
            close();
            onConfirm();
          }}
        >
          {children}
        </Confirm>
      )}
    </>
  );
}
