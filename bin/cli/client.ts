// The CLI's view of the Coffer/Vault HTTP API: where to send requests, with
// which token, and how failures read. Error text follows Vault's api package
// so users (and their scripts) see the same "Error making API request." block.
import { createTransport, type Transport } from './transport';
import { resolveToken, type Env } from './token-store';
import { parseBool } from './flags';

export const DEFAULT_ADDRESS = 'http://127.0.0.1:8200';

export interface ClientConfig {
  address: string;
  token?: string;
  tlsSkipVerify: boolean;
  caCert?: string;
  namespace?: string;
  wrapTtl?: string;
}

export interface HttpFlagValues {
  address?: string;
  'ca-cert'?: string;
  'tls-skip-verify'?: boolean;
  namespace?: string;
  'wrap-ttl'?: string;
}

function envBool(value: string | undefined): boolean {
  if (value === undefined || value.trim() === '') return false;
  try {
    return parseBool('skip-verify', value.trim());
  } catch {
    return true; // set to something odd: err on the side the user asked for
  }
}

/** Flags beat COFFER_* which beat VAULT_* which beat the defaults. */
export function resolveConfig(flags: HttpFlagValues, env: Env): ClientConfig {
  return {
    address: (flags.address || env.COFFER_ADDR || env.VAULT_ADDR || DEFAULT_ADDRESS).replace(/\/+$/, ''),
    token: resolveToken(env),
    tlsSkipVerify:
      flags['tls-skip-verify'] === true || envBool(env.COFFER_SKIP_VERIFY) || envBool(env.VAULT_SKIP_VERIFY),
    caCert: flags['ca-cert'] || env.COFFER_CACERT || env.VAULT_CACERT || undefined,
    namespace: flags.namespace || env.COFFER_NAMESPACE || env.VAULT_NAMESPACE || undefined,
    wrapTtl: flags['wrap-ttl'] || env.COFFER_WRAP_TTL || env.VAULT_WRAP_TTL || undefined,
  };
}

/** A non-2xx answer from the server. */
export class ApiError extends Error {
  constructor(
    readonly method: string,
    readonly url: string,
    readonly status: number,
    readonly errors: string[],
    readonly rawMessage?: string,
  ) {
    super(formatApiError(method, url, status, errors, rawMessage));
    this.name = 'ApiError';
  }
}

export function formatApiError(
  method: string,
  url: string,
  status: number,
  errors: string[],
  rawMessage?: string,
): string {
  const head = `Error making API request.\n\nURL: ${method} ${url}\nCode: ${status}. `;
  if (rawMessage !== undefined) return `${head}Raw Message:\n\n${rawMessage}`;
  return `${head}Errors:\n\n${errors.map((e) => `* ${e}`).join('\n')}`;
}

/** Vault's response envelope (api.Secret). */
export interface Secret {
  request_id?: string;
  lease_id?: string;
  lease_duration?: number;
  renewable?: boolean;
  data?: Record<string, unknown> | null;
  warnings?: string[] | null;
  auth?: SecretAuth | null;
  wrap_info?: WrapInfo | null;
  mount_type?: string;
}

export interface SecretAuth {
  client_token: string;
  accessor?: string;
  policies?: string[] | null;
  token_policies?: string[] | null;
  identity_policies?: string[] | null;
  metadata?: Record<string, unknown> | null;
  lease_duration?: number;
  renewable?: boolean;
  orphan?: boolean;
  entity_id?: string;
  [key: string]: unknown;
}

export interface WrapInfo {
  token: string;
  accessor?: string;
  ttl?: number;
  creation_time?: string;
  creation_path?: string;
  wrapped_accessor?: string;
}

export interface ApiResponse {
  status: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
  text: string;
  bytes: Buffer;
}

/**
 * For Vault's unauthenticated endpoints (seal status, unseal, init, leader,
 * generate-root): send no token, since a token the server cannot check (it is
 * sealed, or it is a DR secondary that never issued it) must not get in the way.
 */
export const UNAUTHENTICATED = { token: null, wrap: false } as const;

export interface RequestOptions {
  body?: unknown;
  /** Send these bytes as they are instead of a JSON body (snapshot restore). */
  rawBody?: Buffer;
  query?: Record<string, string>;
  /** Override the configured token; null sends none. */
  token?: string | null;
  /** Send X-Vault-Wrap-TTL when configured (default true). */
  wrap?: boolean;
  headers?: Record<string, string>;
  /** Statuses >= 400 to return instead of throwing. */
  passStatuses?: number[];
}

const ENVELOPE_KEYS = ['request_id', 'lease_id', 'lease_duration', 'renewable', 'data', 'warnings', 'auth', 'wrap_info'];

/** The body as a Secret if it has Vault's response envelope, else null. */
export function envelopeOf(body: unknown): Secret | null {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return null;
  const obj = body as Record<string, unknown>;
  return ENVELOPE_KEYS.some((k) => k in obj) ? (obj as Secret) : null;
}

/** Reads a success body as a Secret; raw objects (sys/seal-status and friends) become its data. */
export function toSecret(body: unknown): Secret | null {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return null;
  return (
    envelopeOf(body) ?? {
      request_id: '',
      lease_id: '',
      lease_duration: 0,
      renewable: false,
      data: body as Record<string, unknown>,
      warnings: null,
    }
  );
}

const hasContent = (s: Secret | null) =>
  !!s && ((s.warnings?.length ?? 0) > 0 || Object.keys(s.data ?? {}).length > 0);

export class VaultClient {
  private readonly transport: Transport;

  constructor(
    readonly config: ClientConfig,
    transport?: Transport,
  ) {
    this.transport =
      transport ?? createTransport({ skipVerify: config.tlsSkipVerify, caCertPath: config.caCert });
  }

  url(path: string, query?: Record<string, string>): string {
    const qs = query && Object.keys(query).length > 0 ? `?${new URLSearchParams(query)}` : '';
    return `${this.config.address}/v1/${path.replace(/^\/+/, '')}${qs}`;
  }

  async request(method: string, path: string, opts: RequestOptions = {}): Promise<ApiResponse> {
    const url = this.url(path, opts.query);
    const headers: Record<string, string> = { ...opts.headers };
    const token = opts.token === undefined ? this.config.token : opts.token;
    if (token) headers['X-Vault-Token'] = token;
    if (this.config.namespace) headers['X-Vault-Namespace'] = this.config.namespace;
    if (opts.wrap !== false && this.config.wrapTtl) headers['X-Vault-Wrap-TTL'] = this.config.wrapTtl;
    headers['X-Vault-Request'] = 'true';
    let body: string | Buffer | undefined;
    if (opts.rawBody !== undefined) {
      body = opts.rawBody;
      headers['Content-Type'] ??= 'application/octet-stream';
    } else if (opts.body !== undefined) {
      body = JSON.stringify(opts.body);
      headers['Content-Type'] ??= 'application/json';
    }
    const res = await this.transport({ method, url, headers, body });
    let parsed: unknown = null;
    let isJson = false;
    if (res.text.trim() !== '') {
      try {
        parsed = JSON.parse(res.text);
        isJson = true;
      } catch {
        parsed = null;
      }
    }
    if (res.status >= 400 && !opts.passStatuses?.includes(res.status)) {
      const errs = (parsed as { errors?: unknown } | null)?.errors;
      if (isJson && Array.isArray(errs)) throw new ApiError(method, url, res.status, errs.map(String));
      throw new ApiError(method, url, res.status, [], res.text.trim() === '' ? undefined : res.text);
    }
    return { status: res.status, body: parsed, text: res.text, bytes: res.bytes ?? Buffer.from(res.text) };
  }

  /** GET; a 404 without data or warnings is "no value" (null), like Vault's Logical().Read. */
  async read(path: string, query?: Record<string, string>): Promise<Secret | null> {
    const res = await this.request('GET', path, { query, passStatuses: [404] });
    if (res.status !== 404) return toSecret(res.body);
    const secret = envelopeOf(res.body);
    return hasContent(secret) ? secret : null;
  }

  /** PUT data; a 204 or empty body is null (the caller prints "Success!"). */
  async write(path: string, data: unknown, method = 'PUT'): Promise<Secret | null> {
    return toSecret((await this.request(method, path, { body: data ?? {} })).body);
  }

  async delete(path: string, query?: Record<string, string>): Promise<Secret | null> {
    return toSecret((await this.request('DELETE', path, { query })).body);
  }

  /**
   * Lists keys with GET ?list=true, as Vault's Go client does. (The LIST verb
   * is not an option: Node's HTTP parser rejects unknown methods with a 400
   * before a Node server ever sees them.) 404 → null.
   */
  async list(path: string): Promise<Secret | null> {
    const res = await this.request('GET', path, { query: { list: 'true' }, passStatuses: [404] });
    return res.status === 404 ? null : toSecret(res.body);
  }
}
