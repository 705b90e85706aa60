// Scalar value parsing for server/config.ts, lenient in the ways Vault is.

export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error';

const LOG_LEVELS: Record<string, LogLevel> = {
  trace: 'trace',
  debug: 'debug',
  info: 'info',
  notice: 'info',
  warn: 'warn',
  warning: 'warn',
  err: 'error',
  error: 'error',
};

/** Case-insensitive; also Vault's aliases (warning, notice, err). */
export function parseLogLevel(raw: string): LogLevel | undefined {
  return LOG_LEVELS[raw.trim().toLowerCase()];
}

// Go's strconv.ParseBool spellings, which Vault accepts for boolean settings.
const TRUE = new Set(['1', 't', 'true']);
const FALSE = new Set(['0', 'f', 'false']);

/** true/false, 1/0 and their string forms; undefined if it is none of them. */
export function parseBoolish(v: unknown): boolean | undefined {
  if (typeof v === 'boolean') return v;
  if (v === 1 || v === 0) return v === 1;
  if (typeof v !== 'string') return undefined;
  const s = v.trim().toLowerCase();
  if (TRUE.has(s)) return true;
  if (FALSE.has(s)) return false;
  return undefined;
}

export interface HostPort {
  /** The host as written, brackets kept for IPv6 ("[::]"). */
  hostPart: string;
  port: number;
}

/** "0.0.0.0:8200", "node-a:8200", "[::]:8200" → host and port; undefined if malformed. */
export function parseHostPort(addr: string): HostPort | undefined {
  const m = /^(\[[0-9a-fA-F:.]+\]|[^:\s[\]]*):(\d{1,5})$/.exec(addr);
  if (!m) return undefined;
  const port = Number(m[2]);
  if (port < 1 || port > 65535) return undefined;
  return { hostPart: m[1], port };
}

/** Trimmed http(s) URL, or undefined if it is not one. */
export function parseUrl(raw: string): string | undefined {
  const s = raw.trim();
  try {
    const u = new URL(s);
    return u.protocol === 'http:' || u.protocol === 'https:' ? s : undefined;
  } catch {
    return undefined;
  }
}

const GO_DURATION_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, μs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const GO_DURATION = /^(?:(?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|μs|ms|s|m|h))+$/;

/**
 * Milliseconds for a config duration, as Vault's parseutil.ParseDurationSecond
 * reads them: a bare number (or numeric string) is seconds, else a Go duration
 * string ("10s", "1m30s", "250ms"). undefined if it is neither (or negative).
 */
export function parseDurationMs(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) && v >= 0 ? v * 1000 : undefined;
  if (typeof v !== 'string') return undefined;
  const s = v.trim();
  if (/^\d+$/.test(s)) return Number(s) * 1000;
  if (!GO_DURATION.test(s)) return undefined;
  let ms = 0;
  for (const [, num, unit] of s.matchAll(/(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/g)) ms += Number(num) * GO_DURATION_MS[unit];
  return Math.round(ms);
}
