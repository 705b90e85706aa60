import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createEtcdCa, issuePeerCert } from '../../server/ha/etcd-peer-tls';
import { MEMBER_FILE, type MemberRecord } from '../../server/ha/raft-member-file';
import { api } from '../support/cluster';
import { initAndUnseal } from '../support/disk-scan';
import { etcdProcessesFor, peers, raftPorts, startRaftNode, unsealWith, waitFor, type RaftNode } from './raft-nodes';

// Seed 002's cluster formed by configuration alone: every node lists the
// others in retry_join stanzas; after `operator init` + unseal on one of them
// and unseal of the others with the same keys, they are one cluster.
// Also prints how long a new retry_join node takes from its start to being a
// voter (median of 3), for the report; the test asserts only that it joins.

const started: RaftNode[] = [];
afterAll(async () => {
  await Promise.all(started.map((s) => s.stop()));
});

const addr = (port: number) => `http://127.0.0.1:${port}`;

/** The retry_join loop reached a leader: seal-status shows the cluster's share configuration. */
const joinPending = (n: RaftNode) => waitFor(`${n.nodeId} to get a join challenge`, async () => (await api(n.addr, 'GET', 'sys/seal-status')).body?.initialized === true);

describe('retry_join', () => {
  let formed: RaftNode[] = [];
  let keys: string[] = [];
  let rootToken = '';

  it('three nodes with retry_join stanzas form one cluster by themselves after init and unseal', async () => {
    const ports = [await raftPorts(), await raftPorts(), await raftPorts()];
    const nodes = await Promise.all(
      ports.map((p, i) => startRaftNode({ name: `rj${i + 1}`, ports: p, retryJoin: ports.filter((_, j) => j !== i).map((q) => addr(q.api)) })),
    );
    started.push(...nodes);
    const [n1, n2, n3] = nodes;
    formed = nodes;
    ({ rootToken, keys } = await initAndUnseal(n1, 3));
    for (const n of [n2, n3]) {
      await joinPending(n);
      const r = await unsealWith(n.addr, keys);
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      expect(r.body.sealed).toBe(false);
    }
    const servers = await peers(n3.addr, rootToken);
    expect(servers.map((s) => [s.node_id, s.voter]).sort()).toEqual([n1.nodeId, n2.nodeId, n3.nodeId].sort().map((id) => [id, true]));
    expect(servers.filter((s) => s.leader)).toHaveLength(1);

    // Time from a new node's start to its appearing as a voter (each one then removed again).
    const ms: number[] = [];
    const phases: string[] = [];
    for (let i = 0; i < 3; i++) {
      const t0 = Date.now();
      const n = await startRaftNode({ name: `late${i + 1}`, retryJoin: [n1.addr, n2.addr] });
      started.push(n);
      const tUp = Date.now();
      await joinPending(n);
      const tChallenge = Date.now();
      expect((await unsealWith(n.addr, keys)).status).toBe(200);
      const tUnsealed = Date.now();
      await waitFor(`${n.nodeId} to be a voter`, async () => (await peers(n1.addr, rootToken)).some((s) => s.node_id === n.nodeId && s.voter));
      ms.push(Date.now() - t0);
      phases.push(`process up ${tUp - t0} ms, challenge +${tChallenge - tUp} ms, unseal (answer, member add, etcd start, data sync) +${tUnsealed - tChallenge} ms`);
      expect((await api(n1.addr, 'POST', 'sys/storage/raft/remove-peer', { token: rootToken, body: { server_id: n.nodeId } })).status).toBe(204);
      await n.stop();
    }
    const sorted = [...ms].sort((x, y) => x - y);
    console.log(`[measure] retry_join node start → voter: median ${sorted[1]} ms (runs: ${ms.join(', ')} ms)\n  ${phases.join('\n  ')}`);
  }, 900_000);

  it("the supervised etcd member refuses a client without the cluster's certificate", async () => {
    // Anyone on the box could otherwise read the leader key's lease and the log tip, then delete keys or take the leader key with a fenced txn.
    const record = JSON.parse(readFileSync(join(formed[0].dataDir, MEMBER_FILE), 'utf8')) as MemberRecord;
    const url = new URL(record.clientUrl);
    expect(url.protocol).toBe('https:');
    const range = (scheme: string, tls: https.RequestOptions) =>
      new Promise<{ status: number; text: string }>((resolve, reject) => {
        const r = (scheme === 'https:' ? https : http).request(
          `${scheme}//${url.host}/v3/kv/range`,
          { method: 'POST', agent: false, timeout: 10_000, checkServerIdentity: () => undefined, ...tls },
          (res) => {
            let text = '';
            res.setEncoding('utf8');
            res.on('data', (d) => (text += d));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
            res.on('error', reject);
          },
        );
        r.on('timeout', () => r.destroy(new Error('timeout')));
        r.on('error', reject);
        r.end(JSON.stringify({ key: Buffer.from('coffer/').toString('base64'), range_end: Buffer.from('coffer0').toString('base64'), keys_only: true }));
      });
    const refused = async (scheme: string, tls: https.RequestOptions) => {
      const answer = await range(scheme, tls).catch((err: Error) => err);
      return answer instanceof Error || answer.status !== 200;
    };
    // Plain http, TLS without a client certificate, a certificate from another CA: all refused.
    expect(await refused('http:', {})).toBe(true);
    expect(await refused('https:', { ca: record.peerTls.caCertPem })).toBe(true);
    const strangerCa = createEtcdCa('stranger');
    const stranger = issuePeerCert(strangerCa, record.name, ['127.0.0.1']);
    expect(await refused('https:', { ca: record.peerTls.caCertPem, cert: stranger.certPem, key: stranger.keyPem })).toBe(true);
    // The node's own certificate (what Coffer's client presents) is served: the refusals above are the certificate's doing.
    const own = await range('https:', { ca: record.peerTls.caCertPem, cert: record.peerTls.certPem, key: record.peerTls.keyPem });
    expect(own.status, own.text).toBe(200);
    expect(JSON.parse(own.text).kvs?.length).toBeGreaterThan(0);
  }, 60_000);

  it("a standby whose heartbeat to the cluster fails answers sys/health 474 (haunhealthycode), and 473 again once it goes through", async () => {
    const health = async (n: RaftNode, q = '') => api(n.addr, 'GET', `sys/health${q}`);
    const standby = await waitFor('a performance standby', async () => {
      for (const n of formed) if ((await health(n)).status === 473) return n;
      return null;
    });
    const ok = await health(standby);
    expect(ok.body).toMatchObject({ ha_connection_healthy: true, removed_from_cluster: false });
    expect(ok.body.last_request_forwarding_heartbeat_ms).toBeLessThan(10_000); // ha-registry.ts ECHO_UNHEALTHY_AFTER_MS
    // Its own etcd member frozen: its echoes to the cluster stop going through (the other two members keep quorum).
    const [pid] = etcdProcessesFor(standby.dataDir);
    expect(pid).toBeGreaterThan(0);
    process.kill(pid, 'SIGSTOP');
    try {
      const bad = await waitFor('sys/health 474', async () => {
        const r = await health(standby, '?perfstandbyok=true&standbyok=true');
        return r.status === 474 ? r : null;
      });
      expect(bad.body).toMatchObject({ initialized: true, sealed: false, ha_connection_healthy: false });
      expect(bad.body.last_request_forwarding_heartbeat_ms).toBeGreaterThanOrEqual(10_000);
      expect((await health(standby, '?haunhealthycode=299')).status).toBe(299);
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    // Healthy again: a standby with a working link (or, had a failover picked it meanwhile, the active, which has no link to report).
    await waitFor('sys/health healthy again', async () => {
      const r = await health(standby, '?perfstandbyok=true');
      return r.status === 200 && (r.body.standby === false || r.body.ha_connection_healthy === true);
    });
  }, 300_000);

  it('retry_join: when the node that handed out the challenge dies before the unseal, the join goes on with the other retry_join addresses', async () => {
    const active = await waitFor('the active node', async () => {
      for (const n of formed) if ((await api(n.addr, 'GET', 'sys/health')).status === 200) return n;
      return null;
    });
    // A standby hands out the challenge (its first retry_join address), so its death costs no failover.
    const giver = formed.find((n) => n !== active)!;
    const others = formed.filter((n) => n !== giver);
    const n = await startRaftNode({ name: 'late-giver-dies', retryJoin: [giver.addr, ...others.map((o) => o.addr)] });
    started.push(n);
    await joinPending(n);
    await giver.stop();
    // etcd adds no member while a voter is down (strict reconfig check): the operator removes the dead one first.
    expect((await api(active.addr, 'POST', 'sys/storage/raft/remove-peer', { token: rootToken, body: { server_id: giver.nodeId } })).status).toBe(204);
    // The challenge came from the dead node: the unseal answers a fresh one from another retry_join address.
    const r = await unsealWith(n.addr, keys);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.sealed).toBe(false);
    await waitFor(`${n.nodeId} to be a voter`, async () => (await peers(active.addr, rootToken)).some((s) => s.node_id === n.nodeId && s.voter));
    expect((await api(n.addr, 'GET', 'sys/health?perfstandbyok=true')).status).toBe(200);
  }, 300_000);
});
