// One HTTP round trip over node:http, or node:https (loaded only for https
// URLs). Not the global fetch: its first call loads undici, which costs a
// short-lived CLI process about 250 ms, more than everything else together.
import { request as httpRequest, type IncomingMessage, type RequestOptions } from 'node:http';
import { readFileSync } from 'node:fs';

export interface HttpRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  /** JSON text, or the bytes of a file (a storage snapshot). */
  body?: string | Buffer;
}

export interface HttpResponse {
  status: number;
  text: string;
  /** The body as received (a snapshot is binary; `text` is its UTF-8 reading). */
  bytes?: Buffer;
}

export type Transport = (req: HttpRequest) => Promise<HttpResponse>;

export interface TlsOptions {
  skipVerify: boolean;
  caCertPath?: string;
}

/** A network-level failure (no HTTP status), worded like Go's net/http errors. */
export class ConnectionError extends Error {
  constructor(message: string, opts?: ErrorOptions) {
    super(message, opts);
    this.name = 'ConnectionError';
  }
}

type RequestFn = (url: string, opts: RequestOptions, cb: (res: IncomingMessage) => void) => ReturnType<typeof httpRequest>;

function send(request: RequestFn, req: HttpRequest, opts: RequestOptions): Promise<HttpResponse> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = { ...req.headers };
    if (req.body !== undefined) headers['Content-Length'] = Buffer.byteLength(req.body);
    // agent: false — one connection per request, closed after: nothing keeps the process alive.
    const r = request(req.url, { ...opts, method: req.method, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const bytes = Buffer.concat(chunks);
        resolve({ status: res.statusCode ?? 0, text: bytes.toString('utf8'), bytes });
      });
      res.on('error', (err) => reject(connectionError(req, err)));
    });
    r.on('error', (err) => reject(connectionError(req, err)));
    if (req.body !== undefined) r.write(req.body);
    r.end();
  });
}

export function createTransport(tls: TlsOptions): Transport {
  let ca: string | undefined;
  return async (req) => {
    if (!req.url.startsWith('https:')) return send(httpRequest, req, {});
    if (tls.caCertPath && ca === undefined) ca = readFileSync(tls.caCertPath, 'utf8');
    const { request: httpsRequest } = await import('node:https');
    return send(httpsRequest as RequestFn, req, { ca, rejectUnauthorized: !tls.skipVerify } as RequestOptions);
  };
}

function connectionError(req: HttpRequest, err: unknown): ConnectionError {
  const cause = ((err as { cause?: unknown }).cause ?? err) as NodeJS.ErrnoException & {
    address?: string;
    port?: number;
    hostname?: string;
  };
  const url = new URL(req.url);
  const hostPort = `${url.hostname}:${url.port || (url.protocol === 'https:' ? 443 : 80)}`;
  let detail: string;
  switch (cause?.code) {
    case 'ECONNREFUSED':
      detail = `dial tcp ${hostPort}: connect: connection refused`;
      break;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      detail = `dial tcp: lookup ${url.hostname}: no such host`;
      break;
    case 'ECONNRESET':
      detail = `read tcp ${hostPort}: connection reset by peer`;
      break;
    default:
      detail = cause?.message ?? String(err);
  }
  const verb = req.method.charAt(0) + req.method.slice(1).toLowerCase();
  return new ConnectionError(`${verb} "${req.url}": ${detail}`, { cause: err });
}
