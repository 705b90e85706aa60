import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Election, type Leadership } from '../../server/ha/election';
import type { HaBatch } from '../../server/ha/ha-log-batch';
import { stateKey, type SeenHaTip } from '../../server/ha/ha-log-txn';
import { appendBatch, readBatches, readTip } from '../../server/ha/log-append';
import { logger, startEtcd, type TestEtcd } from './etcd-cluster';

// The fenced batch append against a real 3-member etcd: batches land at the
// next seqs in order, with their net effect in state/; a leader whose lease
// is gone cannot append even with the right tip; a new leader can; and of two
// appenders that saw the same tip, exactly one succeeds every time.

let etcd: TestEtcd;

beforeAll(async () => {
  etcd = await startEtcd(3, 'l');
}, 180_000);

afterAll(async () => {
  await etcd?.stop();
}, 120_000);

const win = (prefix: string, name: string, member: number) => new Election(etcd.client(member), { key: `${prefix}leader`, value: name, ttlSeconds: 5, logger });
const g = (n: number) => n.toString(16).padStart(32, '0');
/** A batch of one put per value, moving the (made-up) WalLog position by their count. */
const batch = (seen: SeenHaTip, values: string[]): HaBatch => ({
  id: values.join('+').slice(0, 60),
  before: { index: seen.tip.index, guard: g(seen.tip.index) },
  after: { index: seen.tip.index + values.length, guard: g(seen.tip.index + values.length) },
  txns: values.map((v) => [{ op: 'put' as const, key: `k/${v.split('.')[0]}`, value: Buffer.from(v) }]),
});

describe('fenced batch append', () => {
  it('appends batches at the next seqs, readable in seq order, with their effect in state/', async () => {
    const p = 'la/seq/';
    const e = win(p, 'a', 0);
    const l = await e.campaign();
    const c = etcd.client(0);
    let seen = await readTip(c, p);
    expect(seen.modRevision).toBe(0);
    const written: string[][] = [];
    for (let n = 0; n < 5; n++) {
      const values = Array.from({ length: n + 1 }, (_, i) => `r${n}.${i}`);
      const r = await appendBatch(c, p, seen, l, batch(seen, values));
      expect(r).toMatchObject({ ok: true, seq: n + 1 });
      seen = r.seen;
      written.push(values);
    }
    expect(await readTip(etcd.client(2), p)).toEqual(seen);
    const back = await readBatches(etcd.client(1), p, 1, seen.tip.seq);
    expect(back.map((b) => b.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(back.map((b) => b.batch.txns.map((t) => (t[0] as { value: Buffer }).value.toString()))).toEqual(written);
    expect((await readBatches(c, p, 3, 4)).map((b) => b.seq)).toEqual([3, 4]);
    expect((await c.get(stateKey(p, 'k/r4')))?.value.toString()).toBe('r4.4'); // the last put of that key
    await e.resign();
  }, 60_000);

  it('a stale leader (lease revoked) cannot append; the new leader can, and the old one still cannot', async () => {
    const p = 'la/stale/';
    const old = win(p, 'old', 0);
    const oldTerm: Leadership = await old.campaign();
    const c = etcd.client(0);
    const first = await appendBatch(c, p, await readTip(c, p), oldTerm, batch(await readTip(c, p), ['by-old']));
    expect(first.ok).toBe(true);
    const tipBefore = await readTip(c, p);

    await etcd.client(2).leaseRevoke(oldTerm.lease); // what expiry does in etcd
    const refused = await appendBatch(c, p, tipBefore, oldTerm, batch(tipBefore, ['late-by-old']));
    expect(refused).toEqual({ ok: false, reason: 'not_leader', seen: tipBefore });

    const next = win(p, 'new', 1);
    const newTerm = await next.campaign();
    const accepted = await appendBatch(etcd.client(1), p, tipBefore, newTerm, batch(tipBefore, ['by-new']));
    expect(accepted).toMatchObject({ ok: true, seq: 2 });

    // The deposed leader, even with the current tip, is fenced by its term.
    const tipNow = await readTip(c, p);
    expect(await appendBatch(c, p, tipNow, oldTerm, batch(tipNow, ['later-by-old']))).toMatchObject({ ok: false, reason: 'not_leader' });
    // And a forged term with the new lease but an old create revision is refused too.
    expect(await appendBatch(c, p, tipNow, { ...newTerm, createRevision: oldTerm.createRevision }, batch(tipNow, ['x']))).toMatchObject({ ok: false, reason: 'not_leader' });

    expect((await readBatches(c, p, 1, 10)).map((b) => b.batch.id)).toEqual(['by-old', 'by-new']);
    expect(await c.get(stateKey(p, 'k/late-by-old'))).toBeNull();
    await next.resign();
  }, 60_000);

  it('two concurrent appenders with the same seen tip: exactly one succeeds, every round', async () => {
    const p = 'la/race/';
    const e = win(p, 'a', 0);
    const l = await e.campaign();
    const clients = [etcd.client(0), etcd.client(1)]; // through different members
    const winners: number[] = [];
    for (let round = 0; round < 20; round++) {
      const seen = await readTip(clients[0], p);
      const results = await Promise.all(clients.map((cl, i) => appendBatch(cl, p, seen, l, batch(seen, [`w${i}.${round}a`, `w${i}.${round}b`]))));
      const ok = results.filter((r) => r.ok);
      expect(ok).toHaveLength(1);
      const loser = results.find((r) => !r.ok)!;
      expect(loser).toMatchObject({ ok: false, reason: 'stale_tip' });
      expect(loser.seen.tip.seq).toBe(seen.tip.seq + 1);
      winners.push(results[0].ok ? 0 : 1);
    }
    const log = await readBatches(clients[1], p, 1, 100);
    expect(log.map((b) => b.seq)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    // Each seq holds one writer's whole batch, never a mix.
    log.forEach((b, round) => expect(b.batch.id).toBe(`w${winners[round]}.${round}a+w${winners[round]}.${round}b`));
    await e.resign();
  }, 120_000);
});
