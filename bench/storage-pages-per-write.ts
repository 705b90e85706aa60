// `tsx bench/storage-pages-per-write.ts`: how many 4 KiB WAL frames (pages
// SQLite writes and fsyncs at COMMIT) one KV v2 write costs in Coffer's
// storage engine, in process, without HTTP or encryption: a version entry and
// a metadata entry per write (Vault's layout), 10,000 secrets, group commits
// of BATCH writes. Checkpoints are off so the WAL size counts every frame.
// Variants show where the pages go (each removes one part; never do that for real):
//   NOMERKLE=1 no merkle leaf/page rows written at COMMIT
//   NOINDEX=1  no entries_bucket index (merkle sync's bucket lookups)
//   NOWAL=1    no replication log rows
// Env: N (writes measured, 3000), BATCH (writes per group commit, 17).
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteBackend } from '../server/storage/sqlite';

const N = Number(process.env.N ?? 3000);
const BATCH = Number(process.env.BATCH ?? 17);
const KEYS = 10_000;
const FRAME_BYTES = 4096 + 24;
const WAL_HEADER_BYTES = 32;

const dir = mkdtempSync(join(tmpdir(), 'coffer-pages-'));
const path = join(dir, 'coffer.db');
const b = new SqliteBackend({ path, groupCommit: true });
b.db.pragma('wal_autocheckpoint = 0');
if (process.env.NOMERKLE) (b.merkle as unknown as { flush: () => void }).flush = () => {};
if (process.env.NOINDEX) b.db.exec('DROP INDEX entries_bucket');
if (process.env.NOWAL) (b.log as unknown as { insert: { run: () => void } }).insert = { run: () => {} };
const prefix = `logical/${randomBytes(16).toString('hex')}/`;

function write(i: number): void {
  const secret = `w${i % KEYS}`;
  const hash = createHash('sha256').update(secret).digest('hex');
  b.transaction([
    { op: 'put', key: `${prefix}versions/${hash}/${Math.floor(i / KEYS) + 1}`, value: randomBytes(260) }, // ~200 B secret, sealed
    { op: 'put', key: `${prefix}metadata/${secret}`, value: randomBytes(420) }, // metadata with a few versions, sealed
  ]);
}

for (let i = 0; i < KEYS; i++) {
  write(i);
  if (i % 100 === 99) b.commitBatch();
}
b.commitBatch();
b.db.pragma('wal_checkpoint(TRUNCATE)');
const started = performance.now();
let commitMs = 0;
for (let i = KEYS; i < KEYS + N; i++) {
  write(i);
  if ((i - KEYS) % BATCH === BATCH - 1) {
    const t = performance.now();
    b.commitBatch();
    commitMs += performance.now() - t;
  }
}
b.commitBatch();
const elapsed = performance.now() - started;
const frames = (statSync(`${path}-wal`).size - WAL_HEADER_BYTES) / FRAME_BYTES;
console.log(
  `${(frames / N).toFixed(2)} WAL frames per KV write; ${(commitMs / Math.ceil(N / BATCH)).toFixed(2)} ms per COMMIT of ${BATCH}; ${((elapsed * 1000) / N).toFixed(0)} µs per write in all (load ${(await import('node:os')).loadavg()[0].toFixed(2)})`,
);
b.close();
rmSync(dir, { recursive: true, force: true });
