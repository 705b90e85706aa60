import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EtcdClient } from '../../server/ha/etcd-client';
import { EtcdError } from '../../server/ha/etcd-error';
import type { WatchResponse } from '../../server/ha/etcd-watch';
import { quietPort } from '../support/ports';
import { startEtcd, type TestEtcd } from './etcd-cluster';

// The JSON-gateway client against a real etcd 3.4 member: every call the HA
// layer uses round-trips (base64 keys and binary values, int64 strings parsed
// to numbers and bigints), watches deliver history and live changes in order,
// and failures arrive as typed EtcdErrors with deadlines.

let etcd: TestEtcd;
let c: EtcdClient;

beforeAll(async () => {
  etcd = await startEtcd(1, 'solo');
  c = etcd.client(0);
}, 120_000);

afterAll(async () => {
  await etcd?.stop();
}, 60_000);

describe('EtcdClient kv', () => {
  it('put / get / range by prefix / delete by prefix, with binary values and parsed numbers', async () => {
    const bin = Buffer.from([0, 255, 1, 254, 10, 13]);
    const h = await c.put('kv/a', bin);
    expect(typeof h.revision).toBe('number');
    expect(typeof h.memberId).toBe('bigint');
    await c.put('kv/b', 'two');
    await c.put('kv/b', 'two again');
    await c.put('kw/outside', 'x');
    const a = await c.get('kv/a');
    expect(a?.value.equals(bin)).toBe(true);
    expect(a).toMatchObject({ key: 'kv/a', version: 1, lease: 0n, createRevision: h.revision, modRevision: h.revision });
    const b = await c.get('kv/b');
    expect(b).toMatchObject({ version: 2 });
    expect(b!.modRevision).toBeGreaterThan(b!.createRevision);
    const r = await c.range('kv/', { prefix: true });
    expect(r.kvs.map((kv) => kv.key)).toEqual(['kv/a', 'kv/b']);
    expect(r.count).toBe(2);
    expect((await c.range('kv/', { prefix: true, limit: 1 })).more).toBe(true);
    expect((await c.range('kv/', { prefix: true, countOnly: true })).count).toBe(2);
    expect(await c.get('kv/missing')).toBeNull();
    expect(await c.deleteRange('kv/', { prefix: true })).toBe(2);
    expect((await c.range('kv/', { prefix: true })).kvs).toEqual([]);
    expect(await c.get('kw/outside')).not.toBeNull();
  });

  it('txn: compares pick the branch, and the responses come back typed', async () => {
    const ok = await c.txn({
      compare: [{ key: 'tx/k', target: 'create', result: 'EQUAL', revision: 0 }],
      success: [{ op: 'put', key: 'tx/k', value: 'v1' }, { op: 'put', key: 'tx/other', value: 'o' }],
      failure: [{ op: 'range', key: 'tx/k' }],
    });
    expect(ok.succeeded).toBe(true);
    expect(ok.responses.map((r) => r.op)).toEqual(['put', 'put']);
    const again = await c.txn({
      compare: [{ key: 'tx/k', target: 'create', result: 'EQUAL', revision: 0 }],
      success: [{ op: 'put', key: 'tx/k', value: 'v2' }],
      failure: [{ op: 'range', key: 'tx/k' }, { op: 'delete', key: 'tx/other' }],
    });
    expect(again.succeeded).toBe(false);
    expect(again.responses[0]).toMatchObject({ op: 'range' });
    expect(again.responses[0].op === 'range' && again.responses[0].result.kvs[0].value.toString()).toBe('v1');
    expect(again.responses[1]).toEqual({ op: 'delete', deleted: 1 });
    const byValue = await c.txn({ compare: [{ key: 'tx/k', target: 'value', result: 'EQUAL', value: 'v1' }, { key: 'tx/k', target: 'version', result: 'EQUAL', version: 1 }], success: [], failure: [] });
    expect(byValue.succeeded).toBe(true);
  });

  it('a request etcd refuses is an rpc EtcdError with its gRPC code (duplicate key in a txn)', async () => {
    const err = await c.txn({ compare: [], success: [{ op: 'put', key: 'd', value: '1' }, { op: 'put', key: 'd', value: '2' }], failure: [] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EtcdError);
    expect(err).toMatchObject({ code: 'rpc', grpcCode: 3 });
    expect((err as Error).message).toMatch(/duplicate key/);
  });
});

describe('EtcdClient leases', () => {
  it('grant → put with lease → keepalive → revoke deletes the key; keepalive then says lease_not_found', async () => {
    const { id, ttl } = await c.leaseGrant(10);
    expect(typeof id).toBe('bigint');
    expect(ttl).toBe(10);
    await c.put('leased/k', 'v', { lease: id });
    expect((await c.get('leased/k'))?.lease).toBe(id);
    expect(await c.leaseKeepAlive(id)).toBe(10);
    await c.leaseRevoke(id);
    expect(await c.get('leased/k')).toBeNull();
    await expect(c.leaseKeepAlive(id)).rejects.toMatchObject({ code: 'lease_not_found' });
    await expect(c.leaseRevoke(id)).rejects.toMatchObject({ code: 'lease_not_found' });
    await expect(c.put('leased/k', 'v', { lease: id })).rejects.toMatchObject({ code: 'lease_not_found' });
  });
});

describe('EtcdClient watch', () => {
  it('delivers history from a start revision, then live puts and deletes, in revision order', async () => {
    const first = await c.put('w/1', 'a');
    await c.put('w/2', 'b');
    const seen: WatchResponse[] = [];
    const w = c.watch('w/', { prefix: true, startRevision: first.revision, prevKv: true }, (r) => seen.push(r));
    await w.ready;
    await c.put('w/1', 'a2');
    await c.deleteRange('w/2');
    await c.put('x/not-watched', 'no');
    const deadline = Date.now() + 30_000;
    const events = () => seen.flatMap((r) => r.events);
    while (events().length < 4 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(events().map((e) => [e.type, e.kv.key, e.kv.value.toString()])).toEqual([
      ['put', 'w/1', 'a'],
      ['put', 'w/2', 'b'],
      ['put', 'w/1', 'a2'],
      ['delete', 'w/2', ''],
    ]);
    expect(events()[2].prevKv?.value.toString()).toBe('a');
    const revs = events().map((e) => e.kv.modRevision);
    expect([...revs].sort((x, y) => x - y)).toEqual(revs);
    w.cancel();
    await expect(w.done).resolves.toBeUndefined();
  });

  it('a watch whose member goes away ends with an unavailable EtcdError', async () => {
    const solo = await startEtcd(1, 'gone');
    try {
      const w = solo.client(0).watch('any', {}, () => undefined);
      await w.ready;
      solo.members[0].signal('SIGKILL');
      await expect(w.done).rejects.toMatchObject({ code: 'unavailable' });
    } finally {
      await solo.stop();
    }
  }, 120_000);
});

describe('EtcdClient failures', () => {
  let silent: Server;
  const sockets: Socket[] = [];
  afterAll(() => {
    for (const s of sockets) s.destroy();
    silent?.close();
  });

  it('a refused connection is unavailable; a member that never answers is a timeout', async () => {
    const closedPort = await quietPort();
    await expect(new EtcdClient({ endpoints: [`http://127.0.0.1:${closedPort}`] }).get('k')).rejects.toMatchObject({ code: 'unavailable' });
    const port = await quietPort();
    silent = createServer((s) => sockets.push(s)); // accepts, never answers
    await new Promise<void>((r) => silent.listen(port, '127.0.0.1', r));
    const started = Date.now();
    await expect(new EtcdClient({ endpoints: [`http://127.0.0.1:${port}`], timeoutMs: 300 }).get('k')).rejects.toMatchObject({ code: 'timeout' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
  });

  it('fails over to the next endpoint when one refuses connections', async () => {
    const closedPort = await quietPort();
    const multi = new EtcdClient({ endpoints: [`http://127.0.0.1:${closedPort}`, etcd.members[0].clientUrl] });
    await multi.put('failover/k', 'v');
    expect((await multi.get('failover/k'))?.value.toString()).toBe('v');
    multi.close();
  });
});
