'use client';
// Vault's TTL toggle-picker: a switch; off means the server default (30
// minutes), on shows a duration input (number + unit) and yields "45m".
import { useId } from 'react';
import { Field } from './field';
import { HELP_CLASS, INPUT_CLASS } from './form-styles';

export type TtlUnit = 's' | 'm' | 'h';

export interface TtlValue {
  enabled: boolean;
  amount: string;
  unit: TtlUnit;
}

export const DEFAULT_TTL: TtlValue = { enabled: false, amount: '30', unit: 'm' };

/** The `ttl` to send, or undefined for the server default. */
export function ttlParam(v: TtlValue): string | undefined {
  if (!v.enabled) return undefined;
  const n = Number(v.amount);
  return Number.isInteger(n) && n > 0 ? `${n}${v.unit}` : undefined;
}

export function TtlSwitch({ value, onChange, label }: { value: TtlValue; onChange: (v: TtlValue) => void; label: string }) {
  const id = useId();
  const invalid = value.enabled && ttlParam(value) === undefined;
  return (
    <div>
      <div className="flex items-center gap-3">
        <button
          type="button"
          role="switch"
          id={id}
          aria-checked={value.enabled}
          aria-labelledby={`${id}-label`}
          onClick={() => onChange({ ...value, enabled: !value.enabled })}
          className={`relative inline-flex h-6 w-11 shrink-0 items-center rounded-full outline-none transition-colors focus-visible:ring-2 focus-visible:ring-brand focus-visible:ring-offset-2 ${
            value.enabled ? 'bg-brand' : 'bg-gray-300'
          }`}
        >
          <span aria-hidden="true" className={`inline-block h-5 w-5 rounded-full bg-white shadow transition-transform ${value.enabled ? 'translate-x-5' : 'translate-x-0.5'}`} />
        </button>
        <span id={`${id}-label`} className="text-sm font-semibold text-gray-800">
          {label}
        </span>
      </div>
      {value.enabled ? (
        <div className="mt-3 flex max-w-sm items-start gap-3">
          <div className="flex-1">
            <Field label="TTL duration" error={invalid ? 'Enter a whole number greater than 0.' : undefined}>
              {(c) => (
                <input {...c} type="number" min={1} step={1} inputMode="numeric" value={value.amount} onChange={(e) => onChange({ ...value, amount: e.target.value })} className={`${INPUT_CLASS} tabular-nums`} />
              )}
            </Field>
          </div>
          <div className="w-32">
            <Field label="TTL unit">
              {(c) => (
                <select {...c} value={value.unit} onChange={(e) => onChange({ ...value, unit: e.target.value as TtlUnit })} className={INPUT_CLASS}>
                  <option value="s">seconds</option>
                  <option value="m">minutes</option>
                  <option value="h">hours</option>
                </select>
              )}
            </Field>
          </div>
        </div>
      ) : (
        <p className={HELP_CLASS}>If not set, the default value (30 minutes) will be used</p>
      )}
    </div>
  );
}
