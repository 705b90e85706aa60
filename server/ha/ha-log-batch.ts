import { createHash } from 'node:crypto';
import type { StorageOp } from '../storage/backend';
import type { LogPosition } from '../storage/quorum';

// One batch of the HA log (`P log/<seq>`): what one fenced etcd txn appends.
// It names the WalLog position it follows and the one it leads to, so a
// follower checks both around its apply (STYLE.md: "a batch names the position
// it follows"). Binary, not JSON: values are barrier ciphertext and would grow
// by a third in base64 (and again in the gateway's base64). A SHA-256 trailer
// over everything before it: a batch altered anywhere is refused, never applied.
//
//   "CHL1" | u8 idLen id | before(u64 index, 16-byte guard) | after(…) |
//   u32 txns { u32 ops { u8 kind(0 delete, 1 put) u32 keyLen key [u32 valueLen value] } } | sha256

export interface HaBatch {
  /** Unique per append: a retried append whose first try committed is recognised by it. */
  id: string;
  before: LogPosition;
  after: LogPosition;
  /** Storage transactions in commit order, each its ops in order. */
  txns: StorageOp[][];
}

const MAGIC = Buffer.from('CHL1');
const DIGEST_BYTES = 32;
const GUARD_HEX = /^[0-9a-f]{32}$/;
const MAX_ID_BYTES = 255;

export class BatchFormatError extends Error {
  constructor(message: string) {
    super(`HA log batch: ${message}`);
    this.name = 'BatchFormatError';
  }
}

/** Bytes one op adds to an encoded batch (the txn builder sizes batches with it). */
export function encodedOpBytes(o: StorageOp): number {
  return 1 + 4 + Buffer.byteLength(o.key) + (o.op === 'put' ? 4 + o.value.length : 0);
}

/** Bytes of a batch without its ops: header, positions, counts, digest. */
export function encodedBatchOverhead(idBytes: number, txnCount: number): number {
  return MAGIC.length + 1 + idBytes + 2 * 24 + 4 + 4 * txnCount + DIGEST_BYTES;
}

export function encodeBatch(b: HaBatch): Buffer {
  const id = Buffer.from(b.id, 'utf8');
  if (id.length === 0 || id.length > MAX_ID_BYTES) throw new BatchFormatError(`id of ${id.length} bytes (1..${MAX_ID_BYTES})`);
  const parts: Buffer[] = [MAGIC, u8(id.length), id, position(b.before), position(b.after), u32(b.txns.length)];
  for (const ops of b.txns) {
    parts.push(u32(ops.length));
    for (const o of ops) {
      const key = Buffer.from(o.key, 'utf8');
      if (key.toString('utf8') !== o.key) throw new BatchFormatError(`key ${JSON.stringify(o.key)} is not valid UTF-8`);
      parts.push(u8(o.op === 'put' ? 1 : 0), u32(key.length), key);
      if (o.op === 'put') {
        if (!Buffer.isBuffer(o.value)) throw new BatchFormatError(`put of ${o.key} without a value`);
        parts.push(u32(o.value.length), o.value);
      }
    }
  }
  const body = Buffer.concat(parts);
  return Buffer.concat([body, createHash('sha256').update(body).digest()]);
}

export function decodeBatch(buf: Buffer): HaBatch {
  if (buf.length < MAGIC.length + DIGEST_BYTES || !buf.subarray(0, MAGIC.length).equals(MAGIC)) throw new BatchFormatError('not a batch (bad magic or too short)');
  const body = buf.subarray(0, buf.length - DIGEST_BYTES);
  if (!createHash('sha256').update(body).digest().equals(buf.subarray(buf.length - DIGEST_BYTES))) throw new BatchFormatError('checksum mismatch');
  const r = new Reader(body, MAGIC.length);
  const id = r.text(r.u8());
  const before = r.position();
  const after = r.position();
  const txns: StorageOp[][] = [];
  for (let t = r.u32(); t > 0; t--) {
    const ops: StorageOp[] = [];
    for (let n = r.u32(); n > 0; n--) {
      const kind = r.u8();
      if (kind > 1) throw new BatchFormatError(`unknown op kind ${kind}`);
      const key = r.text(r.u32());
      ops.push(kind === 1 ? { op: 'put', key, value: Buffer.from(r.bytes(r.u32())) } : { op: 'delete', key });
    }
    txns.push(ops);
  }
  if (r.offset !== body.length) throw new BatchFormatError(`${body.length - r.offset} trailing bytes`);
  return { id, before, after, txns };
}

function u8(n: number): Buffer {
  return Buffer.from([n]);
}
function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
}
function position(p: LogPosition): Buffer {
  if (!Number.isSafeInteger(p.index) || p.index < 0) throw new BatchFormatError(`WalLog index ${p.index}`);
  if (!GUARD_HEX.test(p.guard)) throw new BatchFormatError(`WalLog guard ${JSON.stringify(p.guard)}`);
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(BigInt(p.index));
  return Buffer.concat([b, Buffer.from(p.guard, 'hex')]);
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

class Reader {
  constructor(
    private readonly buf: Buffer,
    public offset: number,
  ) {}
  bytes(n: number): Buffer {
    if (this.offset + n > this.buf.length) throw new BatchFormatError('truncated');
    const out = this.buf.subarray(this.offset, this.offset + n);
    this.offset += n;
    return out;
  }
  u8(): number {
    return this.bytes(1)[0];
  }
  u32(): number {
    return this.bytes(4).readUInt32BE();
  }
  text(n: number): string {
    try {
      return utf8.decode(this.bytes(n));
    } catch (err) {
      if (err instanceof BatchFormatError) throw err;
      throw new BatchFormatError('a key or id is not valid UTF-8');
    }
  }
  position(): LogPosition {
    const index = this.bytes(8).readBigUInt64BE();
    if (index > BigInt(Number.MAX_SAFE_INTEGER)) throw new BatchFormatError(`WalLog index ${index} beyond 2^53`);
    return { index: Number(index), guard: this.bytes(16).toString('hex') };
  }
}
