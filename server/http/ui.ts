// The web console, served by Coffer's own HTTP server. The server routes
// /v1/* itself and hands every other request to `handle`, which sends `/` to
// /ui/ (as Vault does) and everything else to Next.js (basePath /ui, so assets
// live under /ui/_next/*). The console never imports server code: it calls
// the same-origin /v1 API from the browser. Every response carries the
// security headers of ui-headers.ts.
import { existsSync } from 'node:fs';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import { fileURLToPath } from 'node:url';
import next from 'next';
import { withUiHeaders } from './ui-headers';

/** Where the console's app/, next.config.js and .next/ live: the repo root. */
export const DEFAULT_CONSOLE_DIR = fileURLToPath(new URL('../..', import.meta.url));

export const UI_BASE_PATH = '/ui';

export interface UiHandlerOptions {
  /** true: Next dev server (compiles on demand, HMR). Only one per directory. */
  dev: boolean;
  /** The Next project directory; defaults to the repo root. */
  dir?: string;
  /** The address Coffer's API listener is bound to (Next uses it for absolute URLs and HMR). */
  hostname?: string;
  port?: number;
  /** Coffer's HTTP server, so Next can attach its dev HMR WebSocket to it. */
  httpServer?: Server;
  /** Hide Next's own error output (it otherwise logs render errors to stderr). */
  quiet?: boolean;
}

export interface UiHandler {
  /** For every request that is not /v1/*. Never throws; answers 500 if Next fails. */
  handle(req: IncomingMessage, res: ServerResponse): void;
  /**
   * Optional: forward WebSocket upgrades for paths under /ui/ (dev HMR). Next
   * also attaches its own upgrade listener to the server on the first request,
   * so forwarding is not required; paths outside /ui/ are left alone.
   */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  close(): Promise<void>;
}

export class ConsoleNotBuiltError extends Error {
  constructor(readonly dir: string) {
    super(
      `The web console has not been built: ${join(dir, '.next', 'BUILD_ID')} is missing. ` +
        'Run `npm run build` first, or set NODE_ENV=development to compile the console on demand.',
    );
    this.name = 'ConsoleNotBuiltError';
  }
}

type RequestListener = (req: IncomingMessage, res: ServerResponse) => Promise<void> | void;

/** Vault answers `/` with a redirect to its UI; so do we. The rest goes to Next. */
export function withRootRedirect(nextHandle: RequestListener): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/' && (req.method === 'GET' || req.method === 'HEAD')) {
      res.writeHead(307, { Location: `${UI_BASE_PATH}/`, 'Cache-Control': 'no-store' });
      res.end();
      return;
    }
    Promise.resolve()
      .then(() => nextHandle(req, res))
      .catch((err: unknown) => {
        console.error('console request failed', req.method, path, err);
        if (!res.headersSent) {
          res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' });
          res.end('Internal Server Error');
        } else {
          res.destroy();
        }
      });
  };
}

export async function createUiHandler(opts: UiHandlerOptions): Promise<UiHandler> {
  const dir = opts.dir ?? DEFAULT_CONSOLE_DIR;
  if (!opts.dev && !existsSync(join(dir, '.next', 'BUILD_ID'))) throw new ConsoleNotBuiltError(dir);

  const app = next({
    dev: opts.dev,
    dir,
    hostname: opts.hostname,
    port: opts.port,
    httpServer: opts.httpServer,
    quiet: opts.quiet,
    customServer: true,
  });
  await app.prepare();
  const nextHandle = app.getRequestHandler();
  const nextUpgrade = app.getUpgradeHandler();

  return {
    handle: withUiHeaders(
      withRootRedirect((req, res) => nextHandle(req, res)),
      { dev: opts.dev },
    ),
    upgrade(req, socket, head) {
      const path = (req.url ?? '/').split('?')[0];
      if (!path.startsWith(`${UI_BASE_PATH}/`)) return;
      nextUpgrade(req, socket, head).catch(() => socket.destroy());
    },
    close: () => app.close(),
  };
}
