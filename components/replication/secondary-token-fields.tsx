'use client';
// The fields a secondary needs to reach its primary: the activation token
// (with its fingerprint), the primary's API address when the token carries
// none, and the CA to trust for that one HTTPS call. Used by Enable and by
// Update primary.
import { Field } from './field';
import { INPUT_CLASS } from './form-styles';
import { TokenFingerprint } from './token-fingerprint';

export interface SecondaryTokenValues {
  token: string;
  primary_api_addr: string;
  ca_file: string;
  ca_path: string;
}

interface Props {
  values: SecondaryTokenValues;
  onChange: (v: SecondaryTokenValues) => void;
  /** The pasted JWT has no `addr` claim: the address becomes required. */
  needsAddr: boolean;
}

export function SecondaryTokenFields({ values, onChange, needsAddr }: Props) {
  const set = (k: keyof SecondaryTokenValues) => (e: { target: { value: string } }) => onChange({ ...values, [k]: e.target.value });
  const addrMissing = needsAddr && !values.primary_api_addr.trim();
  return (
    <>
      <Field label="Secondary activation token" help="The token generated on the primary with “Add secondary”.">
        {(c) => (
          <>
            <textarea {...c} rows={4} spellCheck={false} autoComplete="off" value={values.token} onChange={set('token')} className={`${INPUT_CLASS} font-mono text-xs break-all`} />
            {values.token.trim() ? <TokenFingerprint token={values.token} /> : null}
          </>
        )}
      </Field>
      <Field
        label={needsAddr ? 'Primary API address' : 'Primary API address (optional)'}
        required={needsAddr}
        help="Overrides the primary's API address found in the activation token."
        error={
          addrMissing ? 'This token does not include the primary’s address. Enter the primary’s API address, e.g. https://primary.example:8200.' : undefined
        }
      >
        {(c) => (
          <input {...c} type="text" spellCheck={false} value={values.primary_api_addr} onChange={set('primary_api_addr')} placeholder="https://primary.example:8200" className={`${INPUT_CLASS} font-mono`} />
        )}
      </Field>
      <Field label="CA file (optional)" help="Path to a PEM-encoded CA file on the secondary to verify the primary's API certificate.">
        {(c) => <input {...c} type="text" spellCheck={false} value={values.ca_file} onChange={set('ca_file')} className={`${INPUT_CLASS} font-mono`} />}
      </Field>
      <Field label="CA path (optional)" help="Path to a directory of PEM-encoded CA files. Without a CA file or path, the system's CA roots are used.">
        {(c) => <input {...c} type="text" spellCheck={false} value={values.ca_path} onChange={set('ca_path')} className={`${INPUT_CLASS} font-mono`} />}
      </Field>
    </>
  );
}
