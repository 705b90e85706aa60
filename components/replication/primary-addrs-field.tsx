'use client';
// The "Primary cluster addresses" box of update-primary: one https://host:port
// per line, each checked as it is typed (lib/cluster-addrs.ts), the problems
// listed under the box and tied to it with aria-describedby.
import { useState } from 'react';
import { parseClusterAddrs } from '@/lib/cluster-addrs';
import { Field } from './field';
import { INPUT_CLASS } from './form-styles';

interface Props {
  value: string;
  onChange: (v: string) => void;
}

export function PrimaryAddrsField({ value, onChange }: Props) {
  // Say nothing about a box the operator has not finished with yet.
  const [touched, setTouched] = useState(false);
  const { errors } = parseClusterAddrs(value);
  const show = touched && value.trim() !== '';
  return (
    <Field
      label="Primary cluster addresses, one per line"
      required
      help="E.g. https://10.0.0.5:8201: the primary's cluster address (its replication port), not its API address. Tried in order."
      error={
        show && errors.length ? (
          // Field puts errors in a <p>: one block span per problem, not a list.
          <span data-testid="primary-addrs-errors">
            {errors.map((e) => (
              <span key={e} className="block">
                {e}
              </span>
            ))}
          </span>
        ) : undefined
      }
    >
      {(c) => (
        <textarea
          {...c}
          rows={3}
          spellCheck={false}
          autoComplete="off"
          value={value}
          onChange={(e) => onChange(e.target.value)}
          onBlur={() => setTouched(true)}
          onKeyDown={(e) => e.key === 'Enter' && setTouched(true)}
          placeholder="https://10.0.0.5:8201"
          className={`${INPUT_CLASS} font-mono text-xs`}
        />
      )}
    </Field>
  );
}
