// The HTTP-hardening keys of the listener "tcp" stanza, parsed for
// server/config.ts: Vault's http_* timeouts and the extra browser origins that
// may open a token-authenticated status feed.
import type { HttpTimeouts } from './http/listener-timeouts';
import { parseDurationMs } from './config-values';
import { parseListenerTelemetry } from './config-telemetry';

type ErrFn = (msg: string) => Error;

const TIMEOUT_KEYS: Record<string, keyof HttpTimeouts> = {
  http_read_header_timeout: 'readHeaderMs',
  http_read_timeout: 'readMs',
  http_write_timeout: 'writeMs',
  http_idle_timeout: 'idleMs',
};
export const LISTENER_HTTP_KEYS = [...Object.keys(TIMEOUT_KEYS), 'status_feed_allowed_origins', 'telemetry'];

export interface ListenerHttpConfig {
  /** Only the timeouts the stanza sets, in ms; server/http/listener-timeouts.ts has the defaults. */
  httpTimeouts?: Partial<HttpTimeouts>;
  /** Origins (scheme://host[:port]) allowed to open a token-authenticated status feed besides the API's own. */
  statusFeedAllowedOrigins?: string[];
  /** telemetry { unauthenticated_metrics_access = true }: GET /v1/sys/metrics needs no token. */
  unauthenticatedMetricsAccess?: boolean;
}

export function parseListenerHttp(body: Record<string, unknown>, where: string, err: ErrFn): ListenerHttpConfig {
  const out: ListenerHttpConfig = {};
  for (const [key, field] of Object.entries(TIMEOUT_KEYS)) {
    if (body[key] === undefined) continue;
    const ms = parseDurationMs(body[key]);
    if (ms === undefined) throw err(`${where}: ${key} must be a duration such as "10s" or "5m", got ${JSON.stringify(body[key])}`);
    (out.httpTimeouts ??= {})[field] = ms;
  }
  const metricsOpen = parseListenerTelemetry(body.telemetry, where, err);
  if (metricsOpen !== undefined) out.unauthenticatedMetricsAccess = metricsOpen;
  const origins = body.status_feed_allowed_origins;
  if (origins !== undefined) {
    const list = typeof origins === 'string' ? [origins] : origins;
    if (!Array.isArray(list) || !list.every((o) => typeof o === 'string')) {
      throw err(`${where}: status_feed_allowed_origins must be a list of origins such as ["https://noc.example.com"]`);
    }
    out.statusFeedAllowedOrigins = list.map((o) => {
      const origin = originOf(o);
      if (!origin) throw err(`${where}: status_feed_allowed_origins: ${JSON.stringify(o)} is not an http(s) origin`);
      return origin;
    });
  }
  return out;
}

/** "https://noc.example.com/" → "https://noc.example.com"; undefined unless http(s) with nothing after the host. */
function originOf(raw: string): string | undefined {
  try {
    const u = new URL(raw.trim());
    if (u.protocol !== 'http:' && u.protocol !== 'https:') return undefined;
    if ((u.pathname !== '/' && u.pathname !== '') || u.search || u.hash || u.username) return undefined;
    return u.origin;
  } catch {
    return undefined;
  }
}
