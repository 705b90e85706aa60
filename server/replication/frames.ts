import type { LogRecord } from '../storage/backend';

// The replication protocol's messages: one tagged union, with encode and
// decode kept here (STYLE.md; litefs client.go). On the wire a frame is a
// 4-byte big-endian payload length followed by the UTF-8 JSON payload. JSON
// cannot carry bytes, so binary fields (ciphertext, request bodies) travel as
// base64 strings. Peers are mutually authenticated, but a buggy or older peer
// must fail loudly here rather than deep inside apply code, so decode checks
// the tag and the shape of every field.

/**
 * Upper bound for one frame's payload; a larger length prefix closes the
 * connection. Any log record fits: storage refuses entries over
 * max_entry_size (1 MiB default, 32 MiB at most: storage/entry-size.ts), which
 * base64 makes ~43 MiB. Batches are cut by their encoded size, far below this
 * (frame-budget.ts, context.ts WAL_BATCH_BYTES), so a large record travels alone.
 */
export const MAX_FRAME_BYTES = 64 * 1024 * 1024;
const HEADER_BYTES = 4;
/** Longest reason an error frame carries: the explanation must never be what breaks the frame limit. */
export const MAX_REASON_CHARS = 2_048;

export type ReplicationMode = 'performance' | 'dr';
export type WirePosition = { index: number; guard: string };

/** A replication log record as sent: value is base64 ciphertext (null for a delete). */
export interface WireRecord {
  index: number;
  key: string;
  op: 'put' | 'delete';
  value: string | null;
  cls: 'replicated' | 'local';
  guard: string;
}

/** What a performance secondary already resolved for the client's (local) token. */
export interface ForwardedAuth {
  policies: string[];
  displayName?: string;
  entityId?: string;
  [extra: string]: unknown;
}

export type Frame =
  /** Transport-level: the listener authorized the peer (sent once, first). Never reaches onFrame. */
  | { type: 'accepted' }
  /** bootstrapNonce: sent with needsBootstrap; the same secondary may fetch the key again after a crash (root-key-claim.ts). */
  | { type: 'hello'; mode: ReplicationMode; secondaryId: string; position: WirePosition; clusterId: string; apiAddr: string; clusterAddr: string; epoch: number; needsBootstrap: boolean; bootstrapNonce?: string }
  /** clusterAddrs: every node of the primary's cluster (its HA nodes; itself alone without HA), for the secondary to fail over between. */
  | { type: 'hello-ack'; clusterId: string; lastIndex: number; epoch: number; apiAddr: string; clusterAddr: string; clusterAddrs?: string[] }
  /** A standby of the primary's HA cluster → a secondary's hello: replication runs on the active, at this cluster address ('' while none is). */
  | { type: 'not-active'; activeClusterAddr: string; clusterAddrs: string[] }
  /**
   * Primary → a wiped secondary: the root key, keyring and seal it adopts (over mTLS only). localSeal: the
   * primary's CURRENT seal record (its root key sealed under its unseal key, share config), so the secondary
   * unseals with the primary's current keys (absent from a primary of an earlier build: its shares were the root key's).
   */
  | { type: 'bootstrap'; rootKey: string; sealConfig: string; keyring: string; devRootToken: string; localSeal?: string }
  /** Secondary → primary: the bootstrap is committed; the root key is never sent to this certificate again. */
  | { type: 'bootstrap-ack' }
  /** A promoted primary → its former primary, on the fence ALPN: "I lead this set at this epoch" (epoch-exchange.ts). */
  | { type: 'epoch'; mode: ReplicationMode; clusterId: string; epoch: number; apiAddr: string; clusterAddr: string }
  /** The answer: what the receiver now is for that mode, and whether it refuses client writes. */
  | { type: 'epoch-ack'; clusterMode: string; clusterId: string; epoch: number; fenced: boolean }
  /** Primary → secondary: its position cannot be streamed from (missing guard); run a merkle sync. */
  | { type: 'sync-required'; reason: string }
  /** Secondary → primary: stream from this position (after a sync, or to retry). */
  | { type: 'resume'; position: WirePosition }
  | { type: 'refused'; reason: string }
  /**
   * Records after `follows`, the position the previous batch ended at (the
   * secondary applies it only if that is exactly its stored position:
   * continuity.ts). lastIndex/lastGuard: the last primary record this frame
   * covers (some may be filtered out by class).
   */
  | { type: 'wals'; follows: WirePosition; records: WireRecord[]; at: number; lastIndex: number; lastGuard: string }
  | { type: 'ack'; index: number }
  /** clusterAddrs: sent when the primary cluster's node list changed since the last one this link carried. */
  | { type: 'heartbeat'; lastIndex: number; primaryTime: number; seq: number; clusterAddrs?: string[] }
  | { type: 'heartbeat-ack'; seq: number; secondaryTime: number }
  | { type: 'merkle-pages-request'; tree: number }
  | { type: 'merkle-pages'; tree: number; hashes: string[]; index: number; guard: string }
  | { type: 'merkle-leaves-request'; tree: number; pages: number[] }
  | { type: 'merkle-leaves'; tree: number; leaves: { page: number; hashes: string[] }[] }
  | { type: 'fetch-keys-request'; tree: number; buckets: number[] }
  | { type: 'fetch-keys'; tree: number; entries: { key: string; value: string }[]; done: boolean }
  | { type: 'sync-done'; index: number; guard: string }
  | { type: 'forward-request'; id: string; method: string; path: string; headers: Record<string, string>; body: string | null; auth: ForwardedAuth | null }
  | { type: 'forward-response'; id: string; status: number; headers: Record<string, string>; body: string | null; index: number }
  | { type: 'error'; message: string };

export type FrameType = Frame['type'];
export type FrameOf<T extends FrameType> = Extract<Frame, { type: T }>;

export class FrameError extends Error {
  constructor(message: string, opts?: ErrorOptions) {
    super(message, opts);
    this.name = 'FrameError';
  }
}

// ---- field checks ---------------------------------------------------------

type Check = (v: unknown) => boolean;
const str: Check = (v) => typeof v === 'string';
const int: Check = (v) => Number.isSafeInteger(v) && (v as number) >= 0;
const num: Check = (v) => typeof v === 'number' && Number.isFinite(v);
const bool: Check = (v) => typeof v === 'boolean';
const nullable = (c: Check): Check => (v) => v === null || c(v);
const optional = (c: Check): Check => (v) => v === undefined || c(v);
const oneOf = (...allowed: string[]): Check => (v) => typeof v === 'string' && allowed.includes(v);
const arrayOf = (c: Check): Check => (v) => Array.isArray(v) && v.every(c);
const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const shape = (fields: Record<string, Check>): Check => (v) => isObj(v) && Object.entries(fields).every(([k, c]) => c(v[k]));
const strMap: Check = (v) => isObj(v) && Object.values(v).every(str);
const hex: Check = (v) => typeof v === 'string' && /^[0-9a-f]*$/i.test(v);

const record = shape({ index: int, key: str, op: oneOf('put', 'delete'), value: nullable(str), cls: oneOf('replicated', 'local'), guard: str });
const auth = nullable(shape({ policies: arrayOf(str) }));

/** Required fields per frame type; the compiler keeps this table in step with the union. */
const FIELDS: { [T in FrameType]: { [K in Exclude<keyof FrameOf<T>, 'type'>]-?: Check } } = {
  accepted: {},
  hello: {
    mode: oneOf('performance', 'dr'),
    secondaryId: str,
    position: shape({ index: int, guard: str }),
    clusterId: str,
    apiAddr: str,
    clusterAddr: str,
    epoch: int,
    needsBootstrap: bool,
    bootstrapNonce: optional(str),
  },
  'hello-ack': { clusterId: str, lastIndex: int, epoch: int, apiAddr: str, clusterAddr: str, clusterAddrs: optional(arrayOf(str)) },
  'not-active': { activeClusterAddr: str, clusterAddrs: arrayOf(str) },
  bootstrap: { rootKey: str, sealConfig: str, keyring: str, devRootToken: str, localSeal: optional(str) },
  'bootstrap-ack': {},
  epoch: { mode: oneOf('performance', 'dr'), clusterId: str, epoch: int, apiAddr: str, clusterAddr: str },
  'epoch-ack': { clusterMode: str, clusterId: str, epoch: int, fenced: bool },
  'sync-required': { reason: str },
  resume: { position: shape({ index: int, guard: str }) },
  refused: { reason: str },
  wals: { follows: shape({ index: int, guard: str }), records: arrayOf(record), at: num, lastIndex: int, lastGuard: str },
  ack: { index: int },
  heartbeat: { lastIndex: int, primaryTime: num, seq: int, clusterAddrs: optional(arrayOf(str)) },
  'heartbeat-ack': { seq: int, secondaryTime: num },
  'merkle-pages-request': { tree: int },
  'merkle-pages': { tree: int, hashes: arrayOf(hex), index: int, guard: str },
  'merkle-leaves-request': { tree: int, pages: arrayOf(int) },
  'merkle-leaves': { tree: int, leaves: arrayOf(shape({ page: int, hashes: arrayOf(hex) })) },
  'fetch-keys-request': { tree: int, buckets: arrayOf(int) },
  'fetch-keys': { tree: int, entries: arrayOf(shape({ key: str, value: str })), done: bool },
  'sync-done': { index: int, guard: str },
  'forward-request': { id: str, method: str, path: str, headers: strMap, body: nullable(str), auth },
  'forward-response': { id: str, status: int, headers: strMap, body: nullable(str), index: int },
  error: { message: str },
};

/** Validate a parsed JSON value as a Frame; throws FrameError naming the first bad field. */
export function toFrame(value: unknown): Frame {
  if (!isObj(value)) throw new FrameError('malformed frame: payload is not an object');
  const type = value.type;
  if (typeof type !== 'string' || !Object.hasOwn(FIELDS, type)) {
    throw new FrameError(`unknown frame type ${JSON.stringify(type)}`);
  }
  const fields = FIELDS[type as FrameType] as Record<string, Check>;
  for (const [name, check] of Object.entries(fields)) {
    if (!check(value[name])) throw new FrameError(`malformed ${type} frame: bad field "${name}"`);
  }
  return value as Frame;
}

// ---- encode / decode ------------------------------------------------------

/** Length-prefixed JSON. Throws FrameError if the payload exceeds maxBytes. */
export function encodeFrame(frame: Frame, maxBytes = MAX_FRAME_BYTES): Buffer {
  const json = Buffer.from(JSON.stringify(frame), 'utf8');
  if (json.length > maxBytes) {
    throw new FrameError(`${frame.type} frame of ${json.length} bytes exceeds the ${maxBytes}-byte limit`);
  }
  const out = Buffer.allocUnsafe(HEADER_BYTES + json.length);
  out.writeUInt32BE(json.length, 0);
  json.copy(out, HEADER_BYTES);
  return out;
}

/** Decode exactly one frame as produced by encodeFrame (length prefix included). */
export function decodeFrame(buf: Buffer, maxBytes = MAX_FRAME_BYTES): Frame {
  if (buf.length < HEADER_BYTES) throw new FrameError('malformed frame: shorter than its length prefix');
  const len = buf.readUInt32BE(0);
  if (len > maxBytes) throw new FrameError(`frame of ${len} bytes exceeds the ${maxBytes}-byte limit`);
  if (buf.length !== HEADER_BYTES + len) {
    throw new FrameError(`malformed frame: length prefix says ${len} bytes, got ${buf.length - HEADER_BYTES}`);
  }
  return parsePayload(buf.subarray(HEADER_BYTES));
}

function parsePayload(payload: Buffer): Frame {
  let value: unknown;
  try {
    value = JSON.parse(payload.toString('utf8'));
  } catch (cause) {
    throw new FrameError('malformed frame: payload is not JSON', { cause });
  }
  return toFrame(value);
}

/**
 * Streaming decoder: feed it socket chunks in any split, get back the frames
 * completed so far. Rejects an oversized length prefix before buffering the
 * body, so a peer cannot make us allocate more than maxBytes.
 */
export class FrameDecoder {
  private chunks: Buffer[] = [];
  private buffered = 0;

  constructor(private readonly maxBytes = MAX_FRAME_BYTES) {}

  /** Bytes held for an incomplete frame. */
  get pendingBytes(): number {
    return this.buffered;
  }

  push(chunk: Buffer): Frame[] {
    if (chunk.length > 0) {
      this.chunks.push(chunk);
      this.buffered += chunk.length;
    }
    const frames: Frame[] = [];
    while (this.buffered >= HEADER_BYTES) {
      // Merge only when the length prefix itself is split across chunks.
      if (this.chunks[0].length < HEADER_BYTES) this.chunks = [Buffer.concat(this.chunks, this.buffered)];
      const len = this.chunks[0].readUInt32BE(0);
      if (len > this.maxBytes) throw new FrameError(`frame of ${len} bytes exceeds the ${this.maxBytes}-byte limit`);
      // Wait for the whole frame before copying anything: a large frame arriving
      // in many small chunks is concatenated once, not once per chunk.
      if (this.buffered < HEADER_BYTES + len) break;
      frames.push(parsePayload(this.take(HEADER_BYTES + len).subarray(HEADER_BYTES)));
    }
    return frames;
  }

  /** Remove and return the first n buffered bytes (n <= buffered). */
  private take(n: number): Buffer {
    const first = this.chunks[0];
    let out: Buffer;
    if (first.length >= n) {
      out = first.subarray(0, n);
      if (first.length === n) this.chunks.shift();
      else this.chunks[0] = first.subarray(n);
    } else {
      const parts: Buffer[] = [];
      let got = 0;
      while (got < n) {
        const c = this.chunks[0];
        const want = n - got;
        if (c.length <= want) {
          parts.push(c);
          got += c.length;
          this.chunks.shift();
        } else {
          parts.push(c.subarray(0, want));
          this.chunks[0] = c.subarray(want);
          got += want;
        }
      }
      out = Buffer.concat(parts, n);
    }
    this.buffered -= n;
    return out;
  }
}

/** The frame a side sends when it gives up on a link: the peer shows the reason as its last_error. */
export function errorFrame(reason: string): FrameOf<'error'> {
  return { type: 'error', message: reason.length > MAX_REASON_CHARS ? `${reason.slice(0, MAX_REASON_CHARS)}…` : reason };
}

// ---- log records ------------------------------------------------------------

export function recordToWire(r: LogRecord): WireRecord {
  return { index: r.index, key: r.key, op: r.op, value: r.value ? r.value.toString('base64') : null, cls: r.cls, guard: r.guard };
}

export function recordFromWire(w: WireRecord): LogRecord {
  return { index: w.index, key: w.key, op: w.op, value: w.value === null ? null : Buffer.from(w.value, 'base64'), cls: w.cls, guard: w.guard };
}
