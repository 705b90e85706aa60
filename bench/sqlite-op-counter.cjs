// Preload (NODE_OPTIONS="--require bench/sqlite-op-counter.cjs") that counts
// every SQLite statement a process runs, by SQL text, and every COMMIT (one
// fsync of the WAL each under synchronous=FULL). SIGUSR2 writes the counts
// so far to $SQLITE_OP_COUNTS as JSON. Bench-only: measures how many storage
// operations a KV v2 write costs (bench/kv-writes-probe.ts).
'use strict';
const { writeFileSync } = require('node:fs');
const Database = require('better-sqlite3');

const counts = Object.create(null);
const bump = (sql) => (counts[sql] = (counts[sql] ?? 0) + 1);
const short = (sql) => sql.replace(/\s+/g, ' ').trim().slice(0, 90);

const prepare = Database.prototype.prepare;
Database.prototype.prepare = function (sql) {
  const stmt = prepare.call(this, sql);
  const label = short(sql);
  for (const m of ['run', 'get', 'all', 'iterate']) {
    const orig = stmt[m];
    if (typeof orig === 'function') stmt[m] = function (...args) { bump(`${m} ${label}`); return orig.apply(this, args); };
  }
  return stmt;
};
const exec = Database.prototype.exec;
Database.prototype.exec = function (sql) {
  if (sql.length < 40) bump(`exec ${short(sql)}`);
  return exec.call(this, sql);
};
process.on('SIGUSR2', () => writeFileSync(process.env.SQLITE_OP_COUNTS ?? '/tmp/sqlite-op-counts.json', JSON.stringify(counts)));
