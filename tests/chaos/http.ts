import http from 'node:http';

// The one HTTP call of the chaos harness: JSON in, status and parsed body
// out, with a deadline (a frozen node never answers, and the harness must
// move on). node:http with keep-alive rather than fetch: on a 2-core box the
// harness's CPU is taken from the servers under test, and fetch costs several
// times more per request.
const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
export const DEFAULT_TIMEOUT_MS = 5_000;

export interface Answer {
  status: number;
  body: any;
}

export class NoAnswer extends Error {}

export function call(
  addr: string,
  method: string,
  path: string,
  opts: { token?: string; body?: unknown; timeoutMs?: number } = {},
): Promise<Answer> {
  const url = new URL(`/v1/${path}`, addr);
  const payload = opts.body === undefined ? undefined : JSON.stringify(opts.body);
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      {
        method,
        agent,
        headers: {
          ...(opts.token ? { 'X-Vault-Token': opts.token } : {}),
          ...(payload !== undefined ? { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(payload) } : {}),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', (err) => reject(new NoAnswer(err.message)));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString();
          let body: any = null;
          try {
            body = text ? JSON.parse(text) : null;
          } catch {
            body = text;
          }
          resolve({ status: res.statusCode ?? 0, body });
        });
      },
    );
    req.setTimeout(opts.timeoutMs ?? DEFAULT_TIMEOUT_MS, () => req.destroy(new Error(`no answer within ${opts.timeoutMs ?? DEFAULT_TIMEOUT_MS} ms`)));
    req.on('error', (err) => reject(new NoAnswer(`${method} ${path} at ${addr}: ${err.message}`)));
    if (payload !== undefined) req.write(payload);
    req.end();
  });
}

/** A call that must succeed (2xx); otherwise an Error naming what failed. */
export async function must(addr: string, method: string, path: string, opts: Parameters<typeof call>[3] = {}): Promise<Answer> {
  const r = await call(addr, method, path, opts);
  if (r.status >= 300) throw new Error(`${method} ${path} at ${addr}: ${r.status} ${JSON.stringify(r.body)}`);
  return r;
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Poll until fn returns a truthy value or the deadline passes (then throw, with the last error). */
export async function until<T>(what: string, fn: () => Promise<T | null | undefined | false>, timeoutMs: number, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    try {
      const v = await fn();
      if (v) return v as T;
    } catch (err) {
      last = (err as Error).message;
    }
    await sleep(everyMs);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${last}` : ''}`);
}
