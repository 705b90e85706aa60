// The drill's one way to reach a cluster: fetch against its /v1 API with a
// token, a deadline, and the drill's abort signal. Isomorphic (browser and
// node): no node: imports. A network failure is status 0, never a throw, so
// steps can tell "the cluster is down" from "the cluster said no".
export const CALL_TIMEOUT_MS = 10_000;
/**
 * Role changes and activation tokens mint keys and certificates: on a loaded
 * machine a cluster can be busy with one for many seconds. Give them time.
 */
export const ACTION_TIMEOUT_MS = 120_000;

export interface CallResult {
  status: number;
  body: any;
  /** The first Vault error, or the network failure. */
  error: string;
}

export interface CallOptions {
  token?: string;
  body?: unknown;
  signal?: AbortSignal;
  timeoutMs?: number;
}

export async function call(addr: string, method: string, path: string, opts: CallOptions = {}): Promise<CallResult> {
  const timeout = AbortSignal.timeout(opts.timeoutMs ?? CALL_TIMEOUT_MS);
  const signal = opts.signal ? AbortSignal.any([opts.signal, timeout]) : timeout;
  // Only headers Vault's CORS allows by default: the console runs this against other clusters' origins.
  const headers: Record<string, string> = {};
  if (opts.token) headers['X-Vault-Token'] = opts.token;
  if (opts.body !== undefined) headers['Content-Type'] = 'application/json';
  try {
    const r = await fetch(`${addr.replace(/\/+$/, '')}/v1/${path}`, {
      method,
      headers,
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
      signal,
    });
    const text = await r.text();
    let body: any = null;
    try {
      body = text ? JSON.parse(text) : null;
    } catch {
      body = null;
    }
    const error = r.ok ? '' : (Array.isArray(body?.errors) && body.errors.length ? String(body.errors[0]) : `HTTP ${r.status}`);
    return { status: r.status, body, error };
  } catch (err) {
    if (opts.signal?.aborted) throw opts.signal.reason ?? err;
    return { status: 0, body: null, error: `unreachable: ${(err as Error).message}` };
  }
}

/** How long verification keeps asking a cluster that does not answer (a new primary may be busy for a while). */
export const ANSWER_WITHIN_MS = 90_000;

/**
 * `call`, asked again while the cluster does not answer or answers 5xx, until
 * `withinMs`: for reads whose answer decides a verification, so a cluster busy
 * right after a role change is not reported as wrong.
 */
export async function callAnswered(addr: string, method: string, path: string, opts: CallOptions & { withinMs?: number } = {}): Promise<CallResult> {
  const deadline = Date.now() + (opts.withinMs ?? ANSWER_WITHIN_MS);
  for (;;) {
    const r = await call(addr, method, path, opts);
    if ((r.status !== 0 && r.status < 500) || Date.now() >= deadline) return r;
    await sleep(500, opts.signal);
  }
}

/** Throws with the cluster's own error unless the status is one of `ok`. */
export async function must(addr: string, method: string, path: string, opts: CallOptions = {}, ok = [200, 204]): Promise<any> {
  const r = await call(addr, method, path, { timeoutMs: ACTION_TIMEOUT_MS, ...opts });
  if (!ok.includes(r.status)) throw new Error(`${method} ${path} on ${addr}: ${r.error}`);
  return r.body;
}

/** Polls `fn` until it returns a truthy value; abortable, with a deadline. */
export async function until<T>(what: string, fn: () => Promise<T | null | undefined | false>, opts: { timeoutMs: number; everyMs?: number; signal?: AbortSignal }): Promise<T> {
  const deadline = Date.now() + opts.timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    opts.signal?.throwIfAborted();
    try {
      const v = await fn();
      if (v) return v as T;
    } catch (err) {
      if (opts.signal?.aborted) throw err;
      last = (err as Error).message;
    }
    await sleep(opts.everyMs ?? 200, opts.signal);
  }
  throw new Error(`timed out after ${Math.round(opts.timeoutMs / 1000)} s waiting for ${what}${last ? ` (${last})` : ''}`);
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(signal!.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
