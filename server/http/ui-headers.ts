// Security headers on every console response (Vault's UI headers,
// vault/ui.go and http/handler.go), so the console cannot be framed — its
// type-to-confirm dialogs cannot be clickjacked — and injected markup cannot
// run script.
//
// The policy is Vault's, adjusted only where the console needs it:
//   script-src  'self' plus a fresh nonce per response. Next.js App Router
//               pages carry inline <script> tags (the RSC payload); Next adds
//               the nonce to every script it emits when it finds one in the
//               *request's* Content-Security-Policy header, which is set here
//               (overwriting anything the client sent) before Next renders.
//               Pages are rendered per request for this (app/layout.tsx).
//   connect-src on /ui/wall only, also ws: and wss:: the status wall watches
//               other clusters' feeds on their own origins. On the DR drill
//               screens also http: and https:: a drill calls the API of every
//               cluster it acts on (each allows the console's origin through
//               sys/config/cors), not only the cluster serving the page.
//   dev mode    (NODE_ENV=development) also 'unsafe-eval' for React's dev
//               tooling and ws: for hot reload; never in production.
// Referrer-Policy no-referrer: console URLs name secret paths.
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

export const WALL_PATH = '/ui/wall';
export const DRILLS_PATH = '/ui/vault/replication/drills';

function under(path: string, prefix: string): boolean {
  return path === prefix || path.startsWith(`${prefix}/`);
}

export function contentSecurityPolicy(path: string, nonce: string, dev = false): string {
  const wall = under(path, WALL_PATH);
  const drills = under(path, DRILLS_PATH);
  return [
    "default-src 'none'",
    `connect-src 'self'${drills ? ' http: https:' : ''}${wall || dev ? ' ws: wss:' : ''}`,
    "img-src 'self' data:",
    `script-src 'self' 'nonce-${nonce}'${dev ? " 'unsafe-eval'" : ''}`,
    "style-src 'unsafe-inline' 'self'",
    "form-action 'none'",
    "frame-ancestors 'none'",
    "font-src 'self'",
  ].join('; ');
}

export function uiSecurityHeaders(path: string, nonce: string, dev = false): Record<string, string> {
  return {
    'Content-Security-Policy': contentSecurityPolicy(path, nonce, dev),
    'X-Frame-Options': 'DENY',
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
  };
}

type Handle = (req: IncomingMessage, res: ServerResponse) => void;

/** Sets the headers on the response and hands Next the nonce through the request's CSP header. */
export function withUiHeaders(handle: Handle, opts: { dev?: boolean } = {}): Handle {
  return (req, res) => {
    const nonce = randomBytes(16).toString('base64');
    const headers = uiSecurityHeaders((req.url ?? '/').split('?')[0], nonce, opts.dev);
    for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
    // Only the server picks the nonce: a client-sent policy header must not choose it.
    req.headers['content-security-policy'] = headers['Content-Security-Policy'];
    delete req.headers['content-security-policy-report-only'];
    handle(req, res);
  };
}
