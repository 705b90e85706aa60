import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Election, type Leadership } from '../../server/ha/election';
import { observeLeader } from '../../server/ha/leader-observer';
import type { KeyValue } from '../../server/ha/etcd-wire';
import { logger, startEtcd, type TestEtcd } from './etcd-cluster';

// Leader election on a 3-member etcd: each campaigner talks only to its own
// member (as each Coffer node will). Exactly one wins; the other takes over
// when the winner resigns, when its lease is revoked, or when its member is
// SIGKILLed — and in that last case the deposed leader hears 'lost' before the
// new one is elected (never two leaders by their own clocks). Times are
// measured and printed, not asserted: the box is loaded.

const TTL = 3;
let etcd: TestEtcd;

beforeAll(async () => {
  etcd = await startEtcd(3, 'e');
}, 180_000);

afterAll(async () => {
  await etcd?.stop();
}, 120_000);

interface Campaigner {
  name: string;
  election: Election;
  won: Promise<Leadership>;
  electedAt?: number;
  lostAt?: number;
  lostReason?: string;
}

function campaign(key: string, name: string, member: number): Campaigner {
  const election = new Election(etcd.client(member), { key, value: name, ttlSeconds: TTL, logger });
  const c: Campaigner = { name, election, won: Promise.resolve() as unknown as Promise<Leadership> };
  election.onLost((reason) => {
    c.lostAt = Date.now();
    c.lostReason = reason;
  });
  c.won = election.campaign().then((l) => {
    c.electedAt = Date.now();
    return l;
  });
  c.won.catch(() => undefined);
  return c;
}

async function firstWinner(a: Campaigner, b: Campaigner): Promise<[Campaigner, Campaigner]> {
  const w = await Promise.race([a.won.then(() => a), b.won.then(() => b)]);
  return w === a ? [a, b] : [b, a];
}

async function until(what: string, f: () => boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!f()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('leader election on an etcd lease', () => {
  it('one of two campaigners wins; the other waits; observers see the winner', async () => {
    const seen: (KeyValue | null)[] = [];
    const obs = observeLeader(etcd.client(2), 'el/one', logger, (kv) => seen.push(kv));
    const a = campaign('el/one', 'node-a', 0);
    const b = campaign('el/one', 'node-b', 1);
    const [winner, loser] = await firstWinner(a, b);
    expect(winner.election.state).toBe('leader');
    await new Promise((r) => setTimeout(r, TTL * 1000 * 1.5)); // past a lease TTL: the winner's keepalives hold it
    expect(loser.election.state).toBe('candidate');
    expect(winner.election.state).toBe('leader');
    await until('observer sees the winner', () => seen.at(-1)?.value.toString() === winner.name);
    expect(seen.at(-1)?.lease).toBe(winner.election.current?.lease);

    // Resign: the other takes over (it watches the key's deletion).
    const t0 = Date.now();
    await winner.election.resign();
    expect(winner.lostReason).toBe('resigned');
    await loser.won;
    console.log(`election: takeover after resign ${loser.electedAt! - t0} ms`);
    await until('observer sees the new leader', () => seen.at(-1)?.value.toString() === loser.name);
    await loser.election.resign();
    obs.close();
  }, 120_000);

  it('a leader whose lease is revoked hears "lost" at once and the other takes over', async () => {
    const a = campaign('el/revoke', 'node-a', 0);
    const b = campaign('el/revoke', 'node-b', 1);
    const [winner, loser] = await firstWinner(a, b);
    const lease = winner.election.current!.lease;
    const t0 = Date.now();
    await etcd.client(2).leaseRevoke(lease); // as etcd does when the lease expires
    await until('winner hears lost', () => winner.lostAt !== undefined);
    await loser.won;
    console.log(`election: lost after revoke ${winner.lostAt! - t0} ms (${winner.lostReason}); takeover ${loser.electedAt! - t0} ms`);
    expect(winner.election.state).toBe('idle');
    // "At once": etcd told it (its watch saw the key go, or a keepalive found the lease gone), not its own
    // lease deadline. Whether that reaches it before the other campaigner's watch (another member, another
    // connection) elects that one is not ordered by etcd; fencing, not notice order, keeps the two apart.
    expect(winner.lostReason).toMatch(/^(leader key deleted|lease expired or revoked in etcd)$/);
    await loser.election.resign();
  }, 120_000);

  it('an aborted campaign gives up its lease and leaves the leader alone', async () => {
    const holder = campaign('el/abort', 'holder', 0);
    await holder.won;
    const ac = new AbortController();
    const e = new Election(etcd.client(1), { key: 'el/abort', value: 'quitter', ttlSeconds: TTL, logger });
    const p = e.campaign(ac.signal);
    await new Promise((r) => setTimeout(r, 500));
    ac.abort(new Error('shutting down'));
    await expect(p).rejects.toThrow('shutting down');
    expect(e.state).toBe('idle');
    expect(holder.election.state).toBe('leader');
    await holder.election.resign();
  }, 60_000);

  it("SIGKILL of the winner's etcd member: the winner is deposed by its own deadline, then the other wins", async () => {
    const a = campaign('el/kill', 'node-a', 0);
    const b = campaign('el/kill', 'node-b', 1);
    const [winner, loser] = await firstWinner(a, b);
    const victimIndex = winner === a ? 0 : 1;
    const victim = etcd.members[victimIndex];
    const status = await etcd.client(victimIndex).status();
    const wasRaftLeader = status.leader === status.header.memberId;
    const t0 = Date.now();
    victim.signal('SIGKILL');
    await until('winner hears lost', () => winner.lostAt !== undefined, 60_000);
    await loser.won;
    console.log(`election: after SIGKILL of the leader's member (${wasRaftLeader ? 'the etcd raft leader: the new raft leader renews every lease' : 'an etcd follower'}): old leader lost at ${winner.lostAt! - t0} ms (${winner.lostReason}); new leader at ${loser.electedAt! - t0} ms`);
    // Never two leaders: the deposed one stopped before the new one started.
    expect(winner.lostAt!).toBeLessThanOrEqual(loser.electedAt!);
    expect(loser.election.state).toBe('leader');
    const held = await etcd.client(2).get('el/kill');
    expect(held?.value.toString()).toBe(loser.name);
    await loser.election.resign();
  }, 120_000);
});
