/** @module <Field>: a labelled input (label bound by id, hint and error tied with aria-describedby). */
import { useId } from "preact/hooks";

export interface FieldProps {
  label: string;
  name?: string;
  type?: "text" | "password" | "email" | "number" | "search" | "url" | "tel";
  required?: boolean;
  autoComplete?: string;
  autoFocus?: boolean;
  inputMode?: "numeric" | "text" | "email" | "url";
  placeholder?: string;
  disabled?: boolean;
  minLength?: number;
  maxLength?: number;
  value: string;
  onValue(value: string): void;
  hint?: string;
  error?: string;
}

/** A text-like input with its label; `onValue` receives the new text on every keystroke. */
export function Field({ label, value, onValue, hint, error, type = "text", ...rest }: FieldProps) {
  const id = useId();
  const described = [hint ? `${id}-hint` : "", error ? `${id}-error` : ""].filter(Boolean).join(" ") || undefined;
  return (
    <div class="field">
      <label for={id}>{label}</label>
      <input
        {...rest}
        id={id}
        // preact 11 types each input type separately; any of these is a text-like input
        type={type as "text"}
        value={value}
        aria-invalid={error ? true : undefined}
        aria-describedby={described}
        onInput={(e) => onValue(e.currentTarget.value)}
      />
      {hint && (
        <small id={`${id}-hint`} class="hint">
          {hint}
        </small>
      )}
      {error && (
        <small id={`${id}-error`} class="field-error">
          {error}
        </small>
      )}
    </div>
  );
}

/** A labelled <select> over `options` (value → label). */
export function SelectField({ label, value, onValue, options }: { label: string; value: string; onValue(value: string): void; options: readonly (readonly [string, string])[] }) {
  const id = useId();
  return (
    <div class="field">
      <label for={id}>{label}</label>
      <select id={id} value={value} onChange={(e) => onValue(e.currentTarget.value)}>
        {options.map(([v, l]) => (
          <option key={v} value={v}>
            {l}
          </option>
        ))}
      </select>
    </div>
  );
}
