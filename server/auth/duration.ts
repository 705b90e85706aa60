import { badRequest } from '../errors';

// Durations as Vault's API takes them (go-secure-stdlib parseutil
// ParseDurationSecond): a number of seconds, a string of digits (seconds), an
// integer number of days ("2d"), or a Go duration string ("90s", "1h30m",
// "1.5h", "250ms"). Results are whole seconds, truncated like Vault's
// TypeDurationSecond.

const UNIT_SECONDS: Record<string, number> = {
  ns: 1e-9,
  us: 1e-6,
  µs: 1e-6,
  μs: 1e-6,
  ms: 1e-3,
  s: 1,
  m: 60,
  h: 3600,
};
const GO_DURATION = /^(?:(?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|μs|ms|s|m|h))+$/;
const GO_PART = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/g;

/**
 * Seconds for a duration value. `field` names the parameter in the error.
 * Negative durations are refused: no caller here has a use for them.
 */
export function parseDuration(value: unknown, field = 'duration'): number {
  if (value === null || value === undefined || value === '') return 0;
  if (typeof value === 'number') {
    if (!Number.isInteger(value) || value < 0) throw invalid(field, value);
    return value;
  }
  if (typeof value !== 'string') throw invalid(field, value);
  const s = value.trim();
  if (/^\d+$/.test(s)) return Number(s);
  const days = /^(\d+)d$/.exec(s);
  if (days) return Number(days[1]) * 86_400;
  if (s === '0') return 0;
  if (!GO_DURATION.test(s)) throw invalid(field, value);
  let seconds = 0;
  for (const [, num, unit] of s.matchAll(GO_PART)) seconds += Number(num) * UNIT_SECONDS[unit];
  // Round away float noise ("0.1h" is 360.00000000000006) before truncating.
  return Math.trunc(Math.round(seconds * 1e6) / 1e6);
}

/** Go's time.Duration.String() for whole seconds: "0s", "45s", "5m0s", "3h25m19s". */
export function formatDuration(seconds: number): string {
  if (seconds === 0) return '0s';
  const sign = seconds < 0 ? '-' : '';
  let rest = Math.abs(Math.trunc(seconds));
  const h = Math.floor(rest / 3600);
  rest -= h * 3600;
  const m = Math.floor(rest / 60);
  const s = rest - m * 60;
  if (h > 0) return `${sign}${h}h${m}m${s}s`;
  if (m > 0) return `${sign}${m}m${s}s`;
  return `${sign}${s}s`;
}

function invalid(field: string, value: unknown) {
  return badRequest(`invalid value for "${field}": ${JSON.stringify(value)} is not a duration (use seconds or a string like "30s", "5m", "1h30m", "2d")`);
}
