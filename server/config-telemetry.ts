// The top-level `telemetry { … }` stanza of the server config (Vault's
// configutil.Telemetry), parsed for server/config.ts. Coffer serves metrics
// at sys/metrics (JSON and Prometheus) and ships them nowhere: sink settings
// (statsd, dogstatsd, circonus, stackdriver …) are refused, not ignored.
import { parseBoolish, parseDurationMs } from './config-values';
import { plainBlocks } from './hcl';

type ErrFn = (msg: string) => Error;

export interface TelemetryConfig {
  /** Only when set; 0 disables the Prometheus format. */
  prometheusRetentionMs?: number;
  disableHostname?: boolean;
}

const KEYS = new Set(['prometheus_retention_time', 'disable_hostname']);

export function parseTelemetry(value: unknown, err: ErrFn): TelemetryConfig | undefined {
  if (value === undefined) return undefined;
  const blocks = plainBlocks(value);
  if (!blocks) throw err('telemetry must be a block: telemetry { … }');
  if (blocks.length > 1) throw err(`only one telemetry stanza is allowed, found ${blocks.length}`);
  const body = blocks[0];
  for (const key of Object.keys(body)) {
    if (!KEYS.has(key)) throw err(`telemetry: "${key}" is not supported: Coffer serves metrics at /v1/sys/metrics (JSON, or Prometheus with ?format=prometheus) and sends them to no sink`);
  }
  const out: TelemetryConfig = {};
  if (body.prometheus_retention_time !== undefined) {
    const ms = parseDurationMs(body.prometheus_retention_time);
    if (ms === undefined) throw err(`telemetry: prometheus_retention_time must be a duration such as "24h" (0 disables Prometheus), got ${JSON.stringify(body.prometheus_retention_time)}`);
    out.prometheusRetentionMs = ms;
  }
  if (body.disable_hostname !== undefined) {
    const b = parseBoolish(body.disable_hostname);
    if (b === undefined) throw err(`telemetry: disable_hostname must be true or false, got ${JSON.stringify(body.disable_hostname)}`);
    out.disableHostname = b;
  }
  return out;
}

/** The listener's `telemetry { unauthenticated_metrics_access = true }` block. */
export function parseListenerTelemetry(value: unknown, where: string, err: ErrFn): boolean | undefined {
  if (value === undefined) return undefined;
  const blocks = plainBlocks(value);
  if (!blocks || blocks.length !== 1) throw err(`${where}: telemetry must be one block: telemetry { unauthenticated_metrics_access = true }`);
  const body = blocks[0];
  for (const key of Object.keys(body)) {
    if (key !== 'unauthenticated_metrics_access') throw err(`${where}: telemetry: unknown key "${key}"`);
  }
  if (body.unauthenticated_metrics_access === undefined) return undefined;
  const b = parseBoolish(body.unauthenticated_metrics_access);
  if (b === undefined) throw err(`${where}: telemetry: unauthenticated_metrics_access must be true or false, got ${JSON.stringify(body.unauthenticated_metrics_access)}`);
  return b;
}
