import http from 'node:http';
import https from 'node:https';
import { EtcdError } from './etcd-error';

// The transport under EtcdClient: JSON over POST to etcd 3.4's gRPC gateway,
// on node:http (no global fetch: undici's start-up cost is paid on every CLI
// start, and its body timeouts are harder to bound per call). Each call has a
// deadline. A call fails over to the next endpoint only when the connection was
// refused, i.e. nothing reached etcd, so a non-idempotent put is never sent twice.

export const DEFAULT_CALL_TIMEOUT_MS = 5_000;

export interface EtcdTlsOptions {
  caPem: string;
  certPem?: string;
  keyPem?: string;
  /**
   * Check the server's certificate by its subject CN rather than the URL's
   * host: a supervised member serves its peer certificate (CN = its node's
   * name), whose SANs name the peer address, not the loopback client one.
   */
  serverCommonName?: string;
}

export interface EtcdTransportOptions {
  /** Client URLs, e.g. http://127.0.0.1:2379. */
  endpoints: string[];
  timeoutMs?: number;
  tls?: EtcdTlsOptions;
}

export interface EtcdStream {
  /** Settles when the stream ends: resolves on close(), rejects with an EtcdError otherwise. */
  readonly done: Promise<void>;
  close(): void;
}

interface GatewayError {
  error?: string;
  message?: string;
  code?: number;
}

export class EtcdTransport {
  private readonly endpoints: URL[];
  private current = 0;
  private readonly timeoutMs: number;
  private readonly agent: http.Agent;

  constructor(private readonly opts: EtcdTransportOptions) {
    if (opts.endpoints.length === 0) throw new EtcdError('invalid_argument', 'etcd client: at least one endpoint is required');
    this.endpoints = opts.endpoints.map((e) => new URL(e));
    this.timeoutMs = opts.timeoutMs ?? DEFAULT_CALL_TIMEOUT_MS;
    const agentOpts = { keepAlive: true, maxSockets: 16 };
    this.agent = this.endpoints[0].protocol === 'https:' ? new https.Agent({ ...agentOpts, ...this.tlsOptions() }) : new http.Agent(agentOpts);
  }

  /** One unary gateway call (path like '/v3/kv/range'). */
  async call<T>(path: string, body: unknown, timeoutMs = this.timeoutMs): Promise<T> {
    let lastError: unknown;
    for (let i = 0; i < this.endpoints.length; i++) {
      const idx = (this.current + i) % this.endpoints.length;
      try {
        const result = await this.once<T>(this.endpoints[idx], path, body, timeoutMs);
        this.current = idx;
        return result;
      } catch (err) {
        lastError = err;
        if (!(err instanceof EtcdError && err.code === 'unavailable' && (err.cause as NodeJS.ErrnoException)?.code === 'ECONNREFUSED')) throw err;
      }
    }
    throw lastError;
  }

  /**
   * A streaming gateway call (the watch): each newline-delimited JSON message
   * goes to onMessage. `openTimeoutMs` bounds the wait for response headers.
   */
  stream(path: string, body: unknown, onMessage: (msg: unknown) => void, openTimeoutMs = this.timeoutMs): EtcdStream {
    const url = new URL(path, this.endpoints[this.current]);
    let closed = false;
    let req: http.ClientRequest | undefined;
    const done = new Promise<void>((resolve, reject) => {
      const fail = (err: EtcdError) => (closed ? resolve() : reject(err));
      req = this.request(url, { agent: false }, (res) => {
        clearTimeout(openTimer);
        if (res.statusCode !== 200) {
          readAll(res).then((text) => fail(gatewayError(res.statusCode ?? 0, text)), (e) => fail(unavailable(e)));
          return;
        }
        let buf = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          buf += chunk;
          let nl: number;
          while ((nl = buf.indexOf('\n')) >= 0) {
            const line = buf.slice(0, nl).trim();
            buf = buf.slice(nl + 1);
            if (!line) continue;
            try {
              onMessage(JSON.parse(line));
            } catch (err) {
              req?.destroy();
              fail(err instanceof EtcdError ? err : new EtcdError('bad_response', 'etcd watch: unreadable message', { cause: err }));
              return;
            }
          }
        });
        res.on('end', () => fail(new EtcdError('unavailable', `etcd ${path}: stream ended by ${url.host}`)));
        res.on('error', (e) => fail(unavailable(e)));
      });
      const openTimer = setTimeout(() => req?.destroy(new EtcdError('timeout', `etcd ${path}: no answer from ${url.host} in ${openTimeoutMs} ms`)), openTimeoutMs);
      req.on('error', (e) => {
        clearTimeout(openTimer);
        fail(e instanceof EtcdError ? e : unavailable(e));
      });
      req.end(JSON.stringify(body));
    });
    return {
      done,
      close: () => {
        closed = true;
        req?.destroy();
      },
    };
  }

  destroy(): void {
    this.agent.destroy();
  }

  private once<T>(base: URL, path: string, body: unknown, timeoutMs: number): Promise<T> {
    const url = new URL(path, base);
    return new Promise<T>((resolve, reject) => {
      const req = this.request(url, { agent: this.agent }, (res) => {
        readAll(res).then((text) => {
          clearTimeout(timer);
          if (res.statusCode !== 200) return reject(gatewayError(res.statusCode ?? 0, text));
          try {
            resolve(JSON.parse(text) as T);
          } catch (err) {
            reject(new EtcdError('bad_response', `etcd ${path}: answer is not JSON`, { cause: err }));
          }
        }, (e) => {
          clearTimeout(timer);
          reject(unavailable(e));
        });
      });
      const timer = setTimeout(() => req.destroy(new EtcdError('timeout', `etcd ${path}: no answer from ${url.host} in ${timeoutMs} ms`)), timeoutMs);
      req.on('error', (e) => {
        clearTimeout(timer);
        reject(e instanceof EtcdError ? e : unavailable(e));
      });
      req.end(JSON.stringify(body));
    });
  }

  private request(url: URL, extra: { agent: http.Agent | false }, onResponse: (res: http.IncomingMessage) => void): http.ClientRequest {
    const options = { method: 'POST', headers: { 'content-type': 'application/json' }, ...extra };
    if (url.protocol === 'https:') return https.request(url, { ...options, ...this.tlsOptions() }, onResponse);
    return http.request(url, options, onResponse);
  }

  private tlsOptions(): ReturnType<typeof etcdTlsOptions> {
    return etcdTlsOptions(this.opts.tls);
  }
}

/** node:https options for a client of etcd: the CA to trust, the client certificate to present, how the server is named. */
export function etcdTlsOptions(t: EtcdTlsOptions | undefined): Pick<https.AgentOptions, 'ca' | 'cert' | 'key' | 'checkServerIdentity'> {
  if (!t) return {};
  const options: Pick<https.AgentOptions, 'ca' | 'cert' | 'key' | 'checkServerIdentity'> = { ca: t.caPem, cert: t.certPem, key: t.keyPem };
  const cn = t.serverCommonName;
  if (cn !== undefined) {
    options.checkServerIdentity = (_host, cert) => (cert.subject?.CN === cn ? undefined : new Error(`etcd's certificate names ${cert.subject?.CN ?? 'nobody'}, not member ${cn}`));
  }
  return options;
}

function readAll(res: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c));
    res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    res.on('error', reject);
  });
}

function unavailable(cause: unknown): EtcdError {
  return new EtcdError('unavailable', `etcd unreachable: ${(cause as Error)?.message ?? cause}`, { cause });
}

function gatewayError(status: number, text: string): EtcdError {
  let body: GatewayError = {};
  try {
    body = JSON.parse(text) as GatewayError;
  } catch {
    return new EtcdError('bad_response', `etcd answered HTTP ${status}: ${text.slice(0, 200)}`);
  }
  const message = body.message ?? body.error ?? `HTTP ${status}`;
  if (/requested lease not found/.test(message)) return new EtcdError('lease_not_found', message, { grpcCode: body.code });
  if (/has been compacted/.test(message)) return new EtcdError('compacted', message, { grpcCode: body.code });
  return new EtcdError('rpc', message, { grpcCode: body.code });
}
