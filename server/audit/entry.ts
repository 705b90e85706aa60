import type { AuthBlock, Request, Response, WrapInfo } from '../core/request';
import { hashStructure } from './redact';
import { hashString } from './salt';

// One audit log entry, shaped as Vault's JSON format writes it
// (vault audit/entry_formatter.go, docs/audit): "time", "type", "auth",
// "request", and for responses "response"; "error" when the request failed.

/** What the broker knows about a request when it logs it. */
export interface AuditInput {
  req: Request;
  /** The mount the path routes to (sys/ and token/ have none here). */
  mount?: { type: string; accessor: string; nonHmacRequestKeys: string[]; nonHmacResponseKeys: string[] };
  res?: Response;
  error?: string;
}

export interface FormatOptions {
  salt: string;
  logRaw: boolean;
  hmacAccessor: boolean;
  /** elide_list_responses: a list answer's keys / key_info become their counts. */
  elideListResponses?: boolean;
}

export function formatEntry(type: 'request' | 'response', input: AuditInput, opts: FormatOptions, now = new Date()): Record<string, unknown> {
  const hash = (v: string) => (opts.logRaw || !v ? v : hashString(opts.salt, v));
  const hashAccessor = (v: string) => (opts.hmacAccessor ? hash(v) : v);
  const hashData = (data: unknown, exempt: string[]) => (opts.logRaw || data == null ? data : hashStructure(data, hash, new Set(exempt)));
  const { req, mount } = input;
  const caller = req.caller;
  const entry: Record<string, unknown> = {
    time: now.toISOString(),
    type,
    auth: caller
      ? {
          client_token: hash(caller.tokenId),
          accessor: hashAccessor(caller.accessor),
          display_name: caller.displayName,
          policies: caller.policies,
          token_policies: caller.policies,
          metadata: null,
          entity_id: caller.entityId,
          token_type: caller.tokenType,
        }
      : { token_type: 'default' },
    request: {
      id: req.id,
      operation: req.operation,
      mount_type: mountTypeOf(input),
      mount_accessor: mount?.accessor ?? '',
      client_token: hash(req.clientToken),
      client_token_accessor: caller ? hashAccessor(caller.accessor) : '',
      namespace: { id: 'root' },
      path: req.path,
      data: Object.keys(req.data).length ? hashData(req.data, mount?.nonHmacRequestKeys ?? []) : null,
      remote_address: unmapIpv4(req.remoteAddr ?? ''),
      ...(req.wrapTtl ? { wrap_ttl: req.wrapTtl } : {}),
    },
  };
  if (type === 'response') {
    const elide = opts.elideListResponses && req.operation === 'list';
    entry.response = responseBlock(input, mount?.nonHmacResponseKeys ?? [], hash, hashAccessor, (d, exempt) => hashData(elide ? elided(d) : d, exempt));
  }
  if (input.error) entry.error = input.error;
  return entry;
}

function responseBlock(
  input: AuditInput,
  exempt: string[],
  hash: (v: string) => string,
  hashAccessor: (v: string) => string,
  hashData: (d: unknown, exempt: string[]) => unknown,
): Record<string, unknown> {
  const res = input.res;
  const out: Record<string, unknown> = { mount_type: mountTypeOf(input), mount_accessor: input.mount?.accessor ?? '' };
  if (!res) return out;
  const data = res.raw ? rawData(res.raw.body) : res.data;
  if (data) out.data = hashData(data, exempt);
  if (res.auth) out.auth = authOf(res.auth, hash, hashAccessor);
  if (res.wrapInfo) out.wrap_info = wrapInfoOf(res.wrapInfo, hash, hashAccessor);
  if (res.warnings?.length) out.warnings = res.warnings;
  return out;
}

function authOf(a: AuthBlock, hash: (v: string) => string, hashAccessor: (v: string) => string): Record<string, unknown> {
  return {
    client_token: hash(a.client_token),
    accessor: hashAccessor(a.accessor),
    display_name: '',
    policies: a.policies,
    token_policies: a.token_policies,
    metadata: a.metadata,
    entity_id: a.entity_id,
    token_type: a.token_type,
    token_ttl: a.lease_duration,
  };
}

function wrapInfoOf(w: WrapInfo, hash: (v: string) => string, hashAccessor: (v: string) => string): Record<string, unknown> {
  return {
    token: hash(w.token),
    accessor: hashAccessor(w.accessor),
    ttl: w.ttl,
    creation_time: w.creation_time,
    creation_path: w.creation_path,
    ...(w.wrapped_accessor ? { wrapped_accessor: hashAccessor(w.wrapped_accessor) } : {}),
  };
}

/** Vault's elide_list_responses: the count of keys and key_info entries instead of the entries. */
function elided(data: unknown): unknown {
  if (!data || typeof data !== 'object' || Array.isArray(data)) return data;
  const d = { ...(data as Record<string, unknown>) };
  if (Array.isArray(d.keys)) d.keys = d.keys.length;
  if (d.key_info && typeof d.key_info === 'object') d.key_info = Object.keys(d.key_info).length;
  return d;
}

function mountTypeOf({ mount, req }: AuditInput): string {
  if (mount) return mount.type;
  return req.path.startsWith('sys/') ? 'system' : req.path.startsWith('auth/token/') ? 'token' : '';
}

/** A raw answer (sys/mounts, sys/audit …) is logged as its envelope's data, or as its body. */
function rawData(body: unknown): unknown {
  // A file (a storage snapshot) is not logged: Vault's audit leaves the streamed body out too.
  if (!body || typeof body !== 'object' || Buffer.isBuffer(body)) return null;
  const data = (body as Record<string, unknown>).data;
  return data && typeof data === 'object' ? data : body;
}

/** "::ffff:127.0.0.1" → "127.0.0.1", as Go reports an IPv4 peer. */
function unmapIpv4(addr: string): string {
  return addr.startsWith('::ffff:') ? addr.slice(7) : addr;
}
