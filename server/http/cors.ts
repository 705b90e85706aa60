import type { IncomingMessage, ServerResponse } from 'node:http';
import { CORS_ALLOWED_METHODS, originAllowed, type CorsConfig } from '../core/cors-config';
import { sendJson } from './respond';

// The CORS edge, as vault/http/cors.go: with CORS enabled, a request with an
// Origin header from an origin not allowed is refused (403); a preflight
// (OPTIONS) is answered here with the allowed methods and headers; any other
// request goes on with Access-Control-Allow-Origin set. Disabled, or without
// an Origin (CLI clients), nothing changes.
const PREFLIGHT_MAX_AGE_S = '300';

/** true when the response has been sent here. */
export function applyCors(req: IncomingMessage, res: ServerResponse, conf: CorsConfig): boolean {
  const origin = req.headers.origin;
  if (!conf.enabled || !origin) return false;
  if (!originAllowed(conf, origin)) {
    sendJson(res, 403, { errors: ['origin not allowed'] });
    return true;
  }
  const requested = req.headers['access-control-request-method'];
  if (req.method === 'OPTIONS' && !CORS_ALLOWED_METHODS.includes(String(requested ?? ''))) {
    res.writeHead(405);
    res.end();
    return true;
  }
  res.setHeader('Access-Control-Allow-Origin', origin);
  res.setHeader('Vary', 'Origin');
  if (req.method !== 'OPTIONS') return false;
  res.setHeader('Access-Control-Allow-Methods', CORS_ALLOWED_METHODS.join(','));
  res.setHeader('Access-Control-Allow-Headers', conf.allowed_headers.join(','));
  res.setHeader('Access-Control-Max-Age', PREFLIGHT_MAX_AGE_S);
  res.writeHead(200);
  res.end();
  return true;
}
