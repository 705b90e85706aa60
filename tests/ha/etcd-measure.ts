// Figures for the HA foundation (not a test; the box is shared, so numbers
// are printed, never asserted). Run:
//   node_modules/.bin/tsx tests/ha/etcd-measure.ts [trials]
// Prints medians of: a 3-member etcd cluster's start (CA + peer certs + spawn
// → all healthy) and election failover after SIGKILL of the leader's member
// (→ old leader's 'lost', → new leader elected), split by whether the killed
// member was etcd's raft leader (a new raft leader renews every lease).
import { Election } from '../../server/ha/election';
import { logger, startEtcd } from './etcd-cluster';

const trials = Number(process.argv[2] ?? 7);
const TTL = 3;
const median = (xs: number[]) => (xs.length ? [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] : NaN);

const starts: number[] = [];
for (let i = 0; i < (process.env.SKIP_START ? 0 : trials); i++) {
  const t0 = Date.now();
  const e = await startEtcd(3, `s${i}-`);
  starts.push(Date.now() - t0);
  await e.stop();
}
console.log(`3-member etcd start (certs + spawn → all healthy): median ${median(starts)} ms over ${trials} [${starts.join(', ')}]`);

const etcd = await startEtcd(3, 'f');
const failover: Record<'raft-leader' | 'follower', { lost: number[]; takeover: number[] }> = {
  'raft-leader': { lost: [], takeover: [] },
  follower: { lost: [], takeover: [] },
};
try {
  for (let i = 0; i < trials; i++) {
    const key = `measure/${i}`;
    // Alternate: the winner sits on etcd's raft leader, then on a follower.
    const st = await etcd.client(0).status();
    const leaderUrl = (await etcd.client(0).memberList()).find((m) => m.id === st.leader)?.clientUrls[0];
    const raftLeader = etcd.members.findIndex((m) => m.clientUrl === leaderUrl);
    if (raftLeader < 0) throw new Error('no raft leader among the members');
    const kind = i % 2 === 0 ? 'raft-leader' : 'follower';
    const winnerMember = kind === 'raft-leader' ? raftLeader : (raftLeader + 1) % 3;
    const otherMember = (winnerMember + 1) % 3;
    const winner = new Election(etcd.client(winnerMember), { key, value: 'winner', ttlSeconds: TTL, logger });
    await winner.campaign();
    let lostAt = 0;
    winner.onLost(() => (lostAt = Date.now()));
    const other = new Election(etcd.client(otherMember), { key, value: 'other', ttlSeconds: TTL, logger });
    const won = other.campaign().then(() => Date.now());
    await new Promise((r) => setTimeout(r, 300)); // the other is waiting on the key
    const t0 = Date.now();
    etcd.members[winnerMember].signal('SIGKILL');
    const at = await won;
    failover[kind].lost.push(lostAt - t0);
    failover[kind].takeover.push(at - t0);
    await other.resign();
    await etcd.members[winnerMember].exited;
    await etcd.members[winnerMember].start();
  }
} finally {
  await etcd.stop();
}
for (const [kind, f] of Object.entries(failover)) {
  if (!f.takeover.length) continue;
  console.log(
    `election failover, SIGKILL of the leader's member (${kind}, TTL ${TTL} s): old leader lost median ${median(f.lost)} ms, new leader median ${median(f.takeover)} ms over ${f.takeover.length} [${f.takeover.join(', ')}]`,
  );
}
