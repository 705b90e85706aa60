import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

// The lab's control endpoint: stop (SIGKILL) and start its clusters by name,
// for unplanned DR drills. Loopback only, behind a random bearer token the
// lab hands to the clusters it starts (env); browsers and the CLI reach it
// only through a cluster's sys/lab/clusters, which needs sudo.
export interface LabClusterControl {
  list(): { name: string; addr: string; running: boolean }[];
  stop(name: string): Promise<void>;
  start(name: string): Promise<void>;
}

export interface LabControlServer {
  url: string;
  token: string;
  close(): Promise<void>;
}

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

function send(res: ServerResponse, status: number, body?: unknown): void {
  res.writeHead(status, body === undefined ? {} : { 'Content-Type': 'application/json' });
  res.end(body === undefined ? undefined : JSON.stringify(body));
}

function authorized(req: IncomingMessage, token: Buffer): boolean {
  const h = req.headers.authorization ?? '';
  const given = Buffer.from(h.startsWith('Bearer ') ? h.slice(7) : '');
  return given.length === token.length && timingSafeEqual(given, token);
}

export async function startLabControl(control: LabClusterControl): Promise<LabControlServer> {
  const token = randomBytes(24).toString('hex');
  const tokenBuf = Buffer.from(token);
  const server = createServer((req, res) => {
    if (!LOOPBACK.has(req.socket.remoteAddress ?? '')) return send(res, 403, { error: 'loopback only' });
    if (!authorized(req, tokenBuf)) return send(res, 401, { error: 'missing or wrong bearer token' });
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'GET' && path === '/clusters') return send(res, 200, { clusters: control.list() });
    const m = /^\/clusters\/([^/]+)\/(stop|start)$/.exec(path);
    if (req.method !== 'POST' || !m) return send(res, 404, { error: 'not found' });
    let name: string;
    try {
      name = decodeURIComponent(m[1]);
    } catch {
      // Thrown here it would be uncaught and end the lab, orphaning every cluster it supervises.
      return send(res, 400, { error: 'malformed cluster name' });
    }
    if (!control.list().some((c) => c.name === name)) return send(res, 404, { error: `no lab cluster named "${name}"` });
    (m[2] === 'stop' ? control.stop(name) : control.start(name)).then(
      () => send(res, 204),
      (err) => send(res, 409, { error: (err as Error).message }),
    );
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    token,
    close: () => new Promise((r) => server.close(() => r())),
  };
}
