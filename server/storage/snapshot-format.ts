import { createHash } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';

// A Coffer snapshot (`operator raft snapshot save`): every replicated and
// local entry exactly as stored — still sealed by the barrier, so a snapshot
// file reveals no more than the data file — with the log position it was
// taken at. Our own format, not Vault's raft snapshot (a tar of BoltDB
// state): Coffer's storage is SQLite, and only Coffer restores it.
//
//   gzip( MAGIC | u32 header length | header JSON | entries | sha256 of all before )
//   entry = u32 key length | key (utf8) | u32 value length | value
//
// The checksum makes a truncated or altered file fail before anything is
// restored. Decoding is bounded (MAX_SNAPSHOT_BYTES) so a gzip bomb cannot
// exhaust memory.
const MAGIC = Buffer.from('COFFER-SNAPSHOT\n');
export const SNAPSHOT_VERSION = 1;
/** Largest snapshot (uncompressed) a node accepts for restore. */
export const MAX_SNAPSHOT_BYTES = 1024 * 1024 * 1024;
const CHECKSUM_BYTES = 32;

export interface SnapshotHeader {
  version: number;
  /** The cluster the snapshot was taken on (core/node cluster id; informational). */
  cluster_id: string;
  /** The log position the entries are consistent with. */
  index: number;
  guard: string;
  created_at: string;
  entries: number;
}

export interface SnapshotEntry {
  key: string;
  value: Buffer;
}

export class SnapshotFormatError extends Error {}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
}

export function encodeSnapshot(header: Omit<SnapshotHeader, 'version' | 'entries'>, entries: SnapshotEntry[]): Buffer {
  const head = Buffer.from(JSON.stringify({ version: SNAPSHOT_VERSION, ...header, entries: entries.length } satisfies SnapshotHeader));
  const parts: Buffer[] = [MAGIC, u32(head.length), head];
  for (const e of entries) {
    const key = Buffer.from(e.key, 'utf8');
    parts.push(u32(key.length), key, u32(e.value.length), e.value);
  }
  const body = Buffer.concat(parts);
  return gzipSync(Buffer.concat([body, createHash('sha256').update(body).digest()]));
}

export function decodeSnapshot(file: Buffer): { header: SnapshotHeader; entries: SnapshotEntry[] } {
  let raw: Buffer;
  try {
    raw = gunzipSync(file, { maxOutputLength: MAX_SNAPSHOT_BYTES });
  } catch (err) {
    throw new SnapshotFormatError(`not a Coffer snapshot (${(err as Error).message})`);
  }
  if (raw.length < MAGIC.length + 4 + CHECKSUM_BYTES || !raw.subarray(0, MAGIC.length).equals(MAGIC)) throw new SnapshotFormatError('not a Coffer snapshot');
  const body = raw.subarray(0, raw.length - CHECKSUM_BYTES);
  if (!createHash('sha256').update(body).digest().equals(raw.subarray(raw.length - CHECKSUM_BYTES))) throw new SnapshotFormatError('snapshot checksum mismatch: the file is damaged');
  let at = MAGIC.length;
  const take = (n: number, what: string): Buffer => {
    if (at + n > body.length) throw new SnapshotFormatError(`snapshot truncated in ${what}`);
    const b = body.subarray(at, at + n);
    at += n;
    return b;
  };
  const header = JSON.parse(take(take(4, 'header').readUInt32BE(), 'header').toString('utf8')) as SnapshotHeader;
  if (header.version !== SNAPSHOT_VERSION) throw new SnapshotFormatError(`snapshot version ${header.version} is not supported (this Coffer reads ${SNAPSHOT_VERSION})`);
  const entries: SnapshotEntry[] = [];
  while (at < body.length) {
    const key = take(take(4, 'entry').readUInt32BE(), 'key').toString('utf8');
    entries.push({ key, value: Buffer.from(take(take(4, 'entry').readUInt32BE(), 'value')) });
  }
  if (entries.length !== header.entries) throw new SnapshotFormatError(`snapshot holds ${entries.length} entries, its header says ${header.entries}`);
  return { header, entries };
}
