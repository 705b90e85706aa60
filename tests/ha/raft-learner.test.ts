import { join } from 'node:path';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { afterAll, describe, expect, it } from 'vitest';
import { EtcdClient } from '../../server/ha/etcd-client';
import { EtcdMember } from '../../server/ha/etcd-member';
import { issuePeerCert } from '../../server/ha/etcd-peer-tls';
import { addLearner, promoteLearners } from '../../server/ha/raft-member-changes';
import { quietPort } from '../support/ports';
import { logger, startEtcd, type TestEtcd } from './etcd-cluster';

// A lone node's first joiner used to be added as a voter at once: a
// one-member etcd cluster then needs two started members for quorum, so the
// active lost its lease and every write until the joiner's member was up.
// Joiners are now added as learners (no quorum change) and promoted once in
// sync. Real etcd members, no Coffer process.

let env: TestEtcd | undefined;
let learner: EtcdMember | undefined;
afterAll(async () => {
  await learner?.stop();
  await env?.stop();
});

describe('raft joiners are learners first', () => {
  it('adding the first joiner keeps a one-member cluster writable until the joiner starts, and it is promoted once in sync', async () => {
    env = await startEtcd(1, 'lone');
    const client = env.client(0);
    const peer = await quietPort();
    const peerUrl = `https://127.0.0.1:${peer}`;
    const members = await addLearner(client, peerUrl);
    expect(members.find((m) => m.peerUrls.includes(peerUrl))?.isLearner).toBe(true);
    // Quorum is unchanged: the lone member still commits writes while the joiner is not even started.
    await client.put('coffer/during-join', 'still writable');
    expect((await client.get('coffer/during-join'))?.value.toString()).toBe('still writable');
    // Adding the same peer again (a retried join) reuses the unstarted member.
    expect((await addLearner(client, peerUrl)).filter((m) => m.peerUrls.includes(peerUrl))).toHaveLength(1);

    const leaf = issuePeerCert(env.ca, 'joiner', ['127.0.0.1']);
    const clientUrl = `http://127.0.0.1:${await quietPort()}`;
    learner = new EtcdMember({
      name: 'joiner',
      storagePath: mkdtempSync(join(tmpdir(), 'coffer-learner-')),
      clientUrl,
      peerUrl,
      initialCluster: Object.fromEntries(members.map((m) => [m.peerUrls.includes(peerUrl) ? 'joiner' : m.name, m.peerUrls[0]])),
      clusterState: 'existing',
      peerTls: { caCertPem: env.ca.certPem, certPem: leaf.certPem, keyPem: leaf.keyPem },
      logger,
      pathEnv: process.env.PATH ?? '',
    });
    await learner.start();
    const own = new EtcdClient({ endpoints: [clientUrl] });
    try {
      const deadline = Date.now() + 90_000;
      for (;;) {
        await promoteLearners(client);
        const list = await client.memberList();
        if (list.length === 2 && list.every((m) => !m.isLearner)) break;
        if (Date.now() > deadline) throw new Error(`not promoted: ${JSON.stringify(list.map((m) => [m.name, m.isLearner]))}`);
        await new Promise((r) => setTimeout(r, 500));
      }
      expect((await own.status()).isLearner).toBe(false);
      // A voter now: it serves linearizable reads of what the lone member wrote before it joined.
      expect((await own.get('coffer/during-join'))?.value.toString()).toBe('still writable');
    } finally {
      own.close();
    }
  }, 240_000);
});
