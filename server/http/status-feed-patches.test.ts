// Protocol 2 of the status feed (`?v=2`): patches, not whole sections, per change.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { applyPatchChanges } from '../../lib/feed-patch';
import type { ReplicationPeer } from '../../lib/types/replication';
import { attachStatusFeed, type FeedMessage, type StatusSnapshot, type StatusSource } from './status-feed';

const ROWS = 50;

function primaryWithSecondaries(): StatusSnapshot {
  const secondaries = Array.from({ length: ROWS }, (_, i): ReplicationPeer => ({ node_id: `s${i}`, api_address: `http://10.0.0.${i}:8200`, connection_status: 'connected', last_heartbeat: '2026-01-01T00:00:00Z' }));
  return {
    cluster: { name: 'alpha', id: 'c-1', apiAddr: 'http://127.0.0.1:8200' },
    health: { initialized: true, sealed: false, standby: false, performance_standby: false, version: '1', cluster_name: 'alpha' } as StatusSnapshot['health'],
    seal: { type: 'shamir', initialized: true, sealed: false, t: 1, n: 1, progress: 0, nonce: '', version: '1', migration: false, recovery_seal: false } as StatusSnapshot['seal'],
    replication: { dr: { mode: 'disabled' }, performance: { mode: 'primary', state: 'running', last_wal: 10, known_secondaries: secondaries.map((s) => s.node_id!), secondaries } },
  };
}

// A test double of the StatusSource interface (not of storage or network: the socket is real).
class EditableSource implements StatusSource {
  listeners = new Set<() => void>();
  snap = primaryWithSecondaries();
  snapshot() {
    return structuredClone(this.snap);
  }
  onChange(l: () => void) {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }
  change(edit: (s: StatusSnapshot) => void) {
    edit(this.snap);
    for (const l of this.listeners) l();
  }
}

const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});

async function subscribe(query: string) {
  const source = new EditableSource();
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const feed = attachStatusFeed(server, source, { authorize: () => false });
  const ws = new WebSocket(`ws://127.0.0.1:${(server.address() as AddressInfo).port}/v1/sys/replication/status/feed${query}`);
  cleanups.push(() => {
    ws.terminate();
    feed.close();
    server.closeAllConnections();
    server.close();
  });
  const frames: string[] = [];
  const waiters: (() => void)[] = [];
  ws.on('message', (d) => {
    frames.push(String(d));
    for (const w of waiters.splice(0)) w();
  });
  const next = async (type: FeedMessage['type']): Promise<{ msg: FeedMessage; bytes: number }> => {
    const deadline = Date.now() + 20_000;
    for (let seen = 0; Date.now() < deadline; ) {
      for (; seen < frames.length; seen++) {
        const msg = JSON.parse(frames[seen]) as FeedMessage;
        if (msg.type === type) {
          frames.splice(0, seen + 1);
          return { msg, bytes: Buffer.byteLength(JSON.stringify(msg)) };
        }
      }
      await new Promise<void>((r) => {
        waiters.push(r);
        setTimeout(r, 500);
      });
    }
    throw new Error(`no ${type} message within 20 s`);
  };
  return { source, next };
}

describe('status feed protocol 2', () => {
  it('snapshot per change: one secondary of fifty disconnecting sends that row field only, and the client folds it to the server state', async () => {
    const { source, next } = await subscribe('?v=2');
    const init = await next('init');
    if (init.msg.type !== 'init') throw new Error('expected init');
    source.change((s) => {
      s.replication.performance.secondaries![17].connection_status = 'disconnected';
    });
    const { msg, bytes } = await next('patch');
    if (msg.type !== 'patch') throw new Error('expected patch');
    expect(msg.seq).toBe(init.msg.seq + 1);
    expect(msg.changes).toEqual([{ path: 'replication.performance', patch: { secondaries: { rows: { s17: { set: { connection_status: 'disconnected' } } } } } }]);
    expect(bytes).toBeLessThan(init.bytes / 10);
    expect(applyPatchChanges(init.msg.snapshot, msg.changes)).toEqual(source.snapshot());
  });

  it('a client that did not ask for ?v=2 still gets whole sections', async () => {
    const { source, next } = await subscribe('');
    await next('init');
    source.change((s) => {
      s.replication.performance.last_wal = 11;
    });
    const { msg } = await next('delta');
    if (msg.type !== 'delta') throw new Error('expected delta');
    expect(msg.changes).toEqual([{ path: 'replication.performance', value: source.snapshot().replication.performance }]);
  });
});
