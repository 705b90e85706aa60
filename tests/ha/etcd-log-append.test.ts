import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Election, type Leadership } from '../../server/ha/election';
import { appendBatch, readRecords, readTip, type SeenTip } from '../../server/ha/log-append';
import { logger, startEtcd, type TestEtcd } from './etcd-cluster';

// The fenced append against a real 3-member etcd: batches land at the next
// indices in order; a leader whose lease is gone cannot append even with the
// right tip; a new leader can; and of two appenders that saw the same tip,
// exactly one succeeds every time.

let etcd: TestEtcd;

beforeAll(async () => {
  etcd = await startEtcd(3, 'l');
}, 180_000);

afterAll(async () => {
  await etcd?.stop();
}, 120_000);

const win = (prefix: string, name: string, member: number) => new Election(etcd.client(member), { key: `${prefix}leader`, value: name, ttlSeconds: 5, logger });

describe('fenced log append', () => {
  it('appends batches at the next indices, readable in index order', async () => {
    const p = 'la/seq/';
    const e = win(p, 'a', 0);
    const l = await e.campaign();
    const c = etcd.client(0);
    let tip: SeenTip = await readTip(c, p);
    expect(tip).toEqual({ index: 0, modRevision: 0 });
    const written: string[] = [];
    for (let batch = 0; batch < 5; batch++) {
      const recs = Array.from({ length: batch + 1 }, (_, i) => `r${batch}.${i}`);
      const r = await appendBatch(c, p, tip, l, recs);
      expect(r).toMatchObject({ ok: true, first: tip.index + 1, last: tip.index + recs.length });
      tip = r.tip;
      written.push(...recs);
    }
    expect(await readTip(etcd.client(2), p)).toEqual(tip);
    const back = await readRecords(etcd.client(1), p, 1, tip.index);
    expect(back.map((r) => r.index)).toEqual(written.map((_, i) => i + 1));
    expect(back.map((r) => r.value.toString())).toEqual(written);
    expect((await readRecords(c, p, 3, 5)).map((r) => r.index)).toEqual([3, 4, 5]);
    await e.resign();
  }, 60_000);

  it('a stale leader (lease revoked) cannot append; the new leader can, and the old one still cannot', async () => {
    const p = 'la/stale/';
    const old = win(p, 'old', 0);
    const oldTerm: Leadership = await old.campaign();
    const c = etcd.client(0);
    const first = await appendBatch(c, p, await readTip(c, p), oldTerm, ['by-old']);
    expect(first.ok).toBe(true);
    const tipBefore = await readTip(c, p);

    await etcd.client(2).leaseRevoke(oldTerm.lease); // what expiry does in etcd
    const refused = await appendBatch(c, p, tipBefore, oldTerm, ['late-by-old']);
    expect(refused).toEqual({ ok: false, reason: 'not_leader', tip: tipBefore });

    const next = win(p, 'new', 1);
    const newTerm = await next.campaign();
    const c1 = etcd.client(1);
    const accepted = await appendBatch(c1, p, tipBefore, newTerm, ['by-new']);
    expect(accepted).toMatchObject({ ok: true, first: 2, last: 2 });

    // The deposed leader, even with the current tip, is fenced by its term.
    const tipNow = await readTip(c, p);
    expect(await appendBatch(c, p, tipNow, oldTerm, ['later-by-old'])).toMatchObject({ ok: false, reason: 'not_leader' });
    // And a forged term with the new lease but an old create revision is refused too.
    expect(await appendBatch(c, p, tipNow, { ...newTerm, createRevision: oldTerm.createRevision }, ['x'])).toMatchObject({ ok: false, reason: 'not_leader' });

    expect((await readRecords(c, p, 1, 10)).map((r) => r.value.toString())).toEqual(['by-old', 'by-new']);
    await next.resign();
  }, 60_000);

  it('two concurrent appenders with the same seen tip: exactly one succeeds, every round', async () => {
    const p = 'la/race/';
    const e = win(p, 'a', 0);
    const l = await e.campaign();
    const clients = [etcd.client(0), etcd.client(1)]; // through different members
    const winners: string[] = [];
    for (let round = 0; round < 20; round++) {
      const seen = await readTip(clients[0], p);
      const results = await Promise.all(clients.map((cl, i) => appendBatch(cl, p, seen, l, [`round${round}-writer${i}-a`, `round${round}-writer${i}-b`])));
      const ok = results.filter((r) => r.ok);
      expect(ok).toHaveLength(1);
      const loserResult = results.find((r) => !r.ok)!;
      expect(loserResult).toMatchObject({ ok: false, reason: 'stale_tip' });
      expect(loserResult.tip.index).toBe(seen.index + 2);
      winners.push(results[0].ok ? 'writer0' : 'writer1');
    }
    const log = await readRecords(clients[1], p, 1, 100);
    expect(log).toHaveLength(40);
    expect(log.map((r) => r.index)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    // Each round's two records are one writer's batch, never interleaved.
    for (let round = 0; round < 20; round++) {
      const [x, y] = [log[2 * round].value.toString(), log[2 * round + 1].value.toString()];
      expect(x).toBe(`round${round}-${winners[round]}-a`);
      expect(y).toBe(`round${round}-${winners[round]}-b`);
    }
    await e.resign();
  }, 120_000);
});
