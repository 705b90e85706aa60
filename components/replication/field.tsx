// A labelled form control with optional help and error text, wired with
// htmlFor / aria-describedby / aria-invalid so getByLabel finds it and screen
// readers read the help.
import { useId, type ReactNode } from 'react';
import { HELP_CLASS, LABEL_CLASS } from './form-styles';

export interface FieldControlProps {
  id: string;
  'aria-describedby'?: string;
  'aria-invalid'?: boolean;
  'aria-required'?: boolean;
}

interface FieldProps {
  label: string;
  help?: ReactNode;
  /** Shown in red instead of the help; marks the control invalid. */
  error?: ReactNode;
  required?: boolean;
  children: (control: FieldControlProps) => ReactNode;
}

export function Field({ label, help, error, required, children }: FieldProps) {
  const id = useId();
  const helpId = `${id}-help`;
  const describedBy = error || help ? helpId : undefined;
  return (
    <div>
      <label htmlFor={id} className={LABEL_CLASS}>
        {label}
      </label>
      {children({ id, 'aria-describedby': describedBy, 'aria-invalid': error ? true : undefined, 'aria-required': required || undefined })}
      {error ? (
        <p id={helpId} className="mt-1 text-xs font-medium text-red-700">
          {error}
        </p>
      ) : help ? (
        <p id={helpId} className={HELP_CLASS}>
          {help}
        </p>
      ) : null}
    </div>
  );
}
