import type { Core } from '../core/core';
import type { Response } from '../core/request';
import type { Route, RouteContext } from '../core/route';
import { telemetry } from './metrics';
import { DEFAULT_METRICS_SETTINGS, type MetricsSettings } from './settings';

// GET sys/metrics (vault/logical_system.go handleMetrics + helper/metricsutil):
// JSON by default, Prometheus text with ?format=prometheus or an Accept header
// asking for it. Not unauthenticated: the caller needs read on sys/metrics, as
// in Vault without `unauthenticated_metrics_access`.

export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';
const ERROR_CONTENT_TYPE = 'text/plain';
const OPENMETRICS_MIME = 'application/openmetrics-text';
const PROMETHEUS_SCHEMA_MIME = 'prometheus/telemetry';

/**
 * A raw body sent as text. The lead extends Response.raw with `contentType`
 * and makes sendJson write string bodies verbatim under it; building the
 * object as this named type keeps it assignable to today's narrower type.
 */
interface RawText {
  status: number;
  body: string;
  contentType: string;
}

const rawText = (status: number, body: string, contentType: string): Response => {
  const raw: RawText = { status, body, contentType };
  return { raw };
};

/** Vault's FormatFromRequest: an Accept header can ask for Prometheus when no format is given. */
function formatOf(ctx: RouteContext<Core>): string {
  const given = ctx.req.query.format ?? ctx.data.format;
  if (typeof given === 'string' && given !== '') return given;
  const accept = ctx.req.headers.accept ?? ctx.req.headers.Accept ?? '';
  if (accept.startsWith(OPENMETRICS_MIME) || accept.includes(PROMETHEUS_SCHEMA_MIME)) return 'prometheus';
  return '';
}

/** Vault's FormatFromRequest for a request seen outside the pipeline (unauthenticated listener access). */
export function formatOfHttp(query: URLSearchParams, accept: string): string {
  const given = query.get('format');
  if (given) return given;
  if (accept.startsWith(OPENMETRICS_MIME) || accept.includes(PROMETHEUS_SCHEMA_MIME)) return 'prometheus';
  return '';
}

/**
 * Vault's MetricsHelper.ResponseForFormat. With prometheus_retention_time = 0
 * Prometheus is off: a 400 "prometheus is not enabled", as in Vault.
 */
export async function metricsFor(format: string, settings: MetricsSettings = DEFAULT_METRICS_SETTINGS): Promise<Response> {
  if (format === 'prometheus') {
    if (settings.prometheusRetentionMs <= 0) return rawText(400, 'prometheus is not enabled', ERROR_CONTENT_TYPE);
    return rawText(200, await telemetry.renderPrometheus(), PROMETHEUS_CONTENT_TYPE);
  }
  if (format === '') return { raw: { status: 200, body: await telemetry.renderJson() } };
  return rawText(400, `metric response format "${format}" unknown`, ERROR_CONTENT_TYPE);
}

export async function readMetrics(ctx: RouteContext<Core>): Promise<Response> {
  return metricsFor(formatOf(ctx), ctx.core.opts?.metrics);
}

export const metricsRoutes: Route<Core>[] = [
  {
    pattern: 'sys/metrics',
    ops: { read: readMetrics },
  },
];
