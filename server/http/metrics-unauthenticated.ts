import type { IncomingMessage, ServerResponse } from 'node:http';
import { formatOfHttp, metricsFor } from '../telemetry/routes';
import type { MetricsSettings } from '../telemetry/settings';
import { sendJson } from './respond';

// A listener with telemetry { unauthenticated_metrics_access = true } answers
// GET /v1/sys/metrics itself, before the request pipeline (vault/http/
// sys_metrics.go handleMetricsUnauthenticated): no token, no seal check, no
// replication gate — so Prometheus can scrape a sealed node, a standby or a
// DR secondary alike. Only GET; the rest is a 405.
export const METRICS_PATH = '/v1/sys/metrics';

export async function serveMetricsUnauthenticated(req: IncomingMessage, res: ServerResponse, settings: MetricsSettings): Promise<void> {
  if (req.method !== 'GET') return sendJson(res, 405, { errors: [] });
  const url = new URL(req.url ?? '/', 'http://coffer');
  const out = await metricsFor(formatOfHttp(url.searchParams, req.headers.accept ?? ''), settings);
  const raw = out.raw!;
  sendJson(res, raw.status, raw.body, raw.contentType);
}
