// The physical floor bench/kv.ts compares Coffer's durable writes against: a
// node:http server (so the figure carries the same HTTP and 32-connection
// client cost as Coffer's) whose every POST inserts its body into a
// better-sqlite3 table in WAL mode with synchronous=FULL and answers only
// after the commit. Runs as its own process: `bare-sqlite-http.mjs <port> <mode> <dir>`.
//   full  — one durable transaction (one fsync) per insert: the naive floor.
//   group — Coffer's group commit (server/storage/sqlite.ts): the first insert
//           of an event-loop turn opens BEGIN IMMEDIATE, every insert of that
//           turn joins it, COMMIT on setImmediate, then all of them are answered.
// The difference between Coffer and `group` is what Coffer's own work costs.
import { createServer } from 'node:http';
import { join } from 'node:path';
import Database from 'better-sqlite3';

const [port, mode, dir] = [Number(process.argv[2]), process.argv[3], process.argv[4]];
if (mode !== 'full' && mode !== 'group') throw new Error(`mode must be full or group, not ${mode}`);

const db = new Database(join(dir, `bare-${mode}.db`));
db.pragma('journal_mode = WAL');
db.pragma('synchronous = FULL');
db.exec('CREATE TABLE IF NOT EXISTS t (k TEXT PRIMARY KEY, v BLOB NOT NULL) WITHOUT ROWID');
const insert = db.prepare('INSERT OR REPLACE INTO t (k, v) VALUES (?, ?)');
const answer = JSON.stringify({ data: { version: 1 } });

let waiters = null; // the open batch's responses (group mode)
function commitBatch() {
  const batch = waiters;
  waiters = null;
  db.exec('COMMIT');
  for (const res of batch) reply(res);
}

function reply(res) {
  res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': answer.length });
  res.end(answer);
}

const server = createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks);
    if (mode === 'full') {
      insert.run(req.url, body); // autocommit: one durable transaction each
      return reply(res);
    }
    if (!waiters) {
      db.exec('BEGIN IMMEDIATE');
      waiters = [];
      setImmediate(commitBatch);
    }
    insert.run(req.url, body);
    waiters.push(res);
  });
});
server.listen(port, '127.0.0.1', () => process.stdout.write('ready\n'));
