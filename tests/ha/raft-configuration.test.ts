import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCoffer } from '../support/cli';
import { api, startConfiguredServer, type ConfiguredServer } from '../support/cluster';
import { initAndUnseal } from '../support/disk-scan';

// `operator raft list-peers` / sys/storage/raft/configuration on a one-node
// cluster (issue 9 item 2's table, before HA clusters exist): the node named
// by storage "raft" node_id, at its cluster address, leader and voter.
let s: ConfiguredServer;
let root = '';

beforeAll(async () => {
  s = await startConfiguredServer({ name: 'peers', healthTimeoutMs: 120_000 });
  root = (await initAndUnseal(s)).rootToken;
}, 180_000);

afterAll(async () => {
  await s?.stop();
});

describe('raft peers of a one-node cluster', () => {
  it('sys/storage/raft/configuration lists this node in Vault\'s shape, and needs a token', async () => {
    const r = await api(s.addr, 'GET', 'sys/storage/raft/configuration', { token: root });
    expect(r.status).toBe(200);
    expect(r.body.data.config.servers).toEqual([{ node_id: `peers-${s.port}`, address: `127.0.0.1:${s.port + 1}`, leader: true, voter: true, protocol_version: '3' }]);
    expect((await api(s.addr, 'GET', 'sys/storage/raft/configuration')).status).toBe(403);
  });

  it('coffer operator raft list-peers prints the Node / Address / State / Voter table, and JSON with -format=json', async () => {
    const home = mkdtempSync(join(tmpdir(), 'coffer-peers-'));
    const table = await runCoffer(['operator', 'raft', 'list-peers'], { addr: s.addr, home, token: root });
    expect(table.code, table.stderr).toBe(0);
    const lines = table.stdout.trim().split('\n').map((l) => l.trim().split(/\s+/));
    expect(lines[0]).toEqual(['Node', 'Address', 'State', 'Voter']);
    expect(lines[2]).toEqual([`peers-${s.port}`, `127.0.0.1:${s.port + 1}`, 'leader', 'true']);
    const json = await runCoffer(['operator', 'raft', 'list-peers', '-format=json'], { addr: s.addr, home, token: root });
    expect(json.code, json.stderr).toBe(0);
    expect(JSON.parse(json.stdout).data.config.servers[0].node_id).toBe(`peers-${s.port}`);
  });
});
