// One HTTP round trip. Global fetch by default; node:https only when the user
// asked for custom TLS (a CA file or skipping verification), because Node 20's
// fetch takes no per-request TLS options without the undici package.
import { request as httpsRequest } from 'node:https';
import { readFileSync } from 'node:fs';

export interface HttpRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
}

export interface HttpResponse {
  status: number;
  text: string;
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

const fetchTransport: Transport = async (req) => {
  let res: Response;
  try {
    res = await fetch(req.url, { method: req.method, headers: req.headers, body: req.body });
  } catch (err) {
    throw connectionError(req, err);
  }
  return { status: res.status, text: await res.text() };
};

function httpsTransport(tls: TlsOptions): Transport {
  const ca = tls.caCertPath ? readFileSync(tls.caCertPath, 'utf8') : undefined;
  return (req) =>
    new Promise((resolve, reject) => {
      const r = httpsRequest(
        req.url,
        { method: req.method, headers: req.headers, ca, rejectUnauthorized: !tls.skipVerify },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
          res.on('error', (err) => reject(connectionError(req, err)));
        },
      );
      r.on('error', (err) => reject(connectionError(req, err)));
      if (req.body !== undefined) r.write(req.body);
      r.end();
    });
}

export function createTransport(tls: TlsOptions): Transport {
  if (!tls.skipVerify && !tls.caCertPath) return fetchTransport;
  const https = httpsTransport(tls);
  return (req) => (req.url.startsWith('https:') ? https(req) : fetchTransport(req));
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
