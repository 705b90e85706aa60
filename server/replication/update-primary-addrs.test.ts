import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VaultError } from '../errors';
import { createReplicationCa, issueClientCert, issueServerCert, type CaMaterial } from './ca';
import type { SecondaryBundle } from './state';
import { startClusterListener, type ClusterListener, type PeerIdentity } from './transport';
import { firstAcceptingPrimary, updatePrimaryAddrs } from './update-primary-addrs';

describe('updatePrimaryAddrs', () => {
  it('takes a list or a comma-separated string, and none when absent', () => {
    expect(updatePrimaryAddrs({})).toEqual([]);
    expect(updatePrimaryAddrs({ update_primary_addrs: [] })).toEqual([]);
    expect(updatePrimaryAddrs({ update_primary_addrs: ['https://10.0.0.1:8201', ' 10.0.0.2:8201 '] })).toEqual(['https://10.0.0.1:8201', '10.0.0.2:8201']);
    expect(updatePrimaryAddrs({ update_primary_addrs: 'https://a:8201,https://b:8201', token: '' })).toEqual(['https://a:8201', 'https://b:8201']);
  });

  it('refuses a token and addresses together (Vault: mutually exclusive), and what is not an address list', () => {
    const refused = (data: Record<string, unknown>) => {
      try {
        updatePrimaryAddrs(data);
      } catch (err) {
        expect(err).toBeInstanceOf(VaultError);
        return (err as VaultError).status;
      }
      return 0;
    };
    expect(refused({ update_primary_addrs: ['https://a:8201'], token: 'eyJ.x.y' })).toBe(400);
    expect(refused({ update_primary_addrs: [1, 2] })).toBe(400);
    expect(refused({ update_primary_addrs: { a: 1 } })).toBe(400);
    expect(refused({ update_primary_addrs: ['https://[::1'] })).toBe(400);
    expect(refused({ update_primary_addrs: Array.from({ length: 17 }, (_, i) => `h${i}:8201`) })).toBe(400);
  });
});

describe('firstAcceptingPrimary', () => {
  let ca: CaMaterial;
  let bundle: SecondaryBundle;
  let knows: ClusterListener;
  let stranger: ClusterListener;
  let deadAddr = '';
  const seen: PeerIdentity[] = [];

  beforeAll(async () => {
    ca = createReplicationCa('set');
    const leaf = issueClientCert(ca, 'london');
    bundle = { caCert: ca.certPem, clientCert: leaf.certPem, clientKey: leaf.keyPem };
    const server = issueServerCert(ca, ['127.0.0.1']);
    const listen = (authorize: (p: PeerIdentity) => boolean) =>
      startClusterListener({ host: '127.0.0.1', port: 0, caPem: ca.certPem, certPem: server.certPem, keyPem: server.keyPem, authorize, onConnection: () => {} });
    knows = await listen((p) => (seen.push(p), p.commonName === 'london' && p.serial === leaf.serial));
    stranger = await listen(() => false); // same CA, but this secondary is not one of its own
    const s = createServer();
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    deadAddr = `https://127.0.0.1:${(s.address() as { port: number }).port}`;
    await new Promise<void>((r) => s.close(() => r()));
  });
  afterAll(async () => {
    await knows?.close();
    await stranger?.close();
  });

  it('pings in order and follows the first primary that accepts this secondary', async () => {
    const r = await firstAcceptingPrimary('performance', bundle, [deadAddr, `https://127.0.0.1:${stranger.port}`, `https://127.0.0.1:${knows.port}`]);
    expect(r).toEqual({ addr: `https://127.0.0.1:${knows.port}` });
    expect(seen.at(-1)?.alpn).toBe('replication_v1');
  });

  it('says why for each address when none accepts', async () => {
    const r = await firstAcceptingPrimary('dr', bundle, [deadAddr, `https://127.0.0.1:${stranger.port}`]);
    expect('failures' in r && r.failures).toHaveLength(2);
    expect('failures' in r && r.failures[1]).toMatch(/not authorized/);
  });
});
