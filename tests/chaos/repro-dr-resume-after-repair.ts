// Reproduction of a defect the HA chaos run found (`npm run chaos -- --ha
// --ha-dr --seed 777 --faults 25`: "[merkle-sync] the DR secondary ran 2
// merkle syncs after set-up"; the secondary logged "index 140 no longer in
// the log (retained from 155)"). Issue 9 item 5 wants streaming to resume
// from the same position without merkle-sync across failovers.
//
// Cause: an active that loses its role with writes etcd may not hold (cut off
// from etcd, a lease lost on a stalled box, a step-down under load) repairs
// from etcd's state (ha-log-state.ts repairFromCluster → replaceCarried), and
// the repair keeps no WalLog records before etcd's tip (ha-design.md 5). When
// that node is the active again while a DR secondary is behind that tip, the
// secondary cannot resume: its next index is gone from the new active's log,
// and it merkle-syncs.
//
// Steps, deterministic: a 3-node HA cluster A, B, C and a DR secondary S.
// S is frozen (it stops at its position); writes go on; A is cut off from
// etcd past the lease (it steps down and, back, repairs: its WalLog now starts
// at etcd's tip); the others step down until A leads again; S thaws.
//
//   node_modules/.bin/tsx tests/chaos/repro-dr-resume-after-repair.ts
//
// Exits 1 if the defect is back (S ran a merkle sync), 0 when S resumes from
// its position. Fixed in server/ha/ha-log-repair-keep.ts: the repair keeps the
// WalLog records etcd acknowledged and replays etcd's batches after them. The
// regression test is tests/ha/ha-log.test.ts "a DR secondary resumes without
// merkle-sync from an active that repaired".
import { HaDrSecondary } from './ha-dr';
import { HaWorld } from './ha-world';
import { must, sleep, until } from './http';
import { PAST_LEASE_MS } from './schedule';

const WAIT_MS = 120_000;
const log = (s: string) => console.log(`${new Date().toISOString().slice(11, 23)} ${s}`);

const w = await HaWorld.start();
let dr: HaDrSecondary | undefined;
let code = 2;
try {
  dr = await HaDrSecondary.start(w);
  const a = await until('an agreed active', () => w.agreedActive(), WAIT_MS);
  const put = async (via: string, key: string) => must(w.addr(via), 'POST', `secret/data/repro/${key}`, { token: w.rootToken, body: { data: { v: key } }, timeoutMs: 30_000 });
  for (let i = 0; i < 10; i++) await put(a, `before-${i}`);
  log(`active ${a}; DR secondary streaming; freezing it`);
  dr.node.freeze();
  for (let i = 0; i < 30; i++) await put(a, `missed-${i}`);

  const repaired = () => w.output(a).split('\n').filter((l) => l.includes('repaired local state')).length;
  const repairsBefore = repaired();
  // Writes in flight at the cut: A's SQLite holds some etcd never got, so A must repair when it is back.
  let writing = true;
  const inFlight = (async () => {
    for (let i = 0; writing; i++) await put(a, `in-flight-${i}`).catch(() => sleep(50));
  })();
  await sleep(200);
  w.cut(a);
  const others = w.names.filter((n) => n !== a);
  const b = await until('another node to take over', async () => {
    for (const n of others) if ((await w.leader(n))?.is_self) return n;
    return null;
  }, WAIT_MS, 100);
  await sleep(PAST_LEASE_MS);
  writing = false;
  for (let i = 0; i < 10; i++) await put(b, `after-cut-${i}`);
  w.reconnect(a);
  await inFlight;
  log(`${a} cut off from etcd, ${b} took over; ${a} reconnected`);
  await until(`${a} to repair from etcd's state`, async () => repaired() > repairsBefore && (await w.serving(a)), WAIT_MS, 100);
  for (let i = 0; i < 10; i++) await put(b, `after-repair-${i}`);
  log(`${a} repaired from etcd's state`);

  // Step the others down (each is then held out of elections for 10 s) until A leads again.
  for (let i = 0; i < 4; i++) {
    const cur = await until('an agreed active', () => w.agreedActive(), WAIT_MS, 100);
    if (cur === a) break;
    log(`stepping down ${cur}`);
    await w.stepDown(cur);
    await until('a new active', async () => {
      const x = await w.agreedActive();
      return x && x !== cur ? x : null;
    }, WAIT_MS, 100);
  }
  const leader = await until('an agreed active', () => w.agreedActive(), WAIT_MS, 100);
  if (leader !== a) throw new Error(`${a} did not lead again (${leader} does)`);
  for (let i = 0; i < 5; i++) await put(a, `back-${i}`);
  log(`${a} leads again; thawing the DR secondary`);

  dr.node.thaw();
  const root = await until('the DR secondary to match the cluster\'s merkle root', async () => {
    const r = (await w.roots()).find((x) => x.node === a)?.root;
    return r && (await dr!.root()) === r && (await dr!.streamingAt()) >= 0 ? r : null;
  }, WAIT_MS, 200);
  const syncs = dr.merkleSyncs() - dr.syncsAtStart;
  const why = dr.node.output().split('\n').filter((l) => l.includes('"msg":"merkle sync complete"')).slice(-1)[0] ?? '';
  log(`roots equal (${root.slice(0, 12)}); merkle syncs after set-up: ${syncs}${syncs ? `: ${why.match(/"reason":"([^"]+)"/)?.[1]}` : ''}`);
  code = syncs ? 1 : 0;
  console.log(code ? 'DEFECT: the DR secondary merkle-synced instead of resuming from its position' : 'ok: the DR secondary resumed from its position');
} catch (err) {
  console.error(err);
} finally {
  await dr?.destroy();
  await w.destroy();
}
process.exit(code);
