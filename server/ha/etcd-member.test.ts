import { describe, expect, it } from 'vitest';
import { createLogger } from '../log';
import { EtcdMember } from './etcd-member';

const base = {
  name: 'node-a',
  storagePath: '/tmp/never-used',
  peerUrl: 'https://127.0.0.1:2',
  initialCluster: { 'node-a': 'https://127.0.0.1:2' },
  clusterState: 'new' as const,
  peerTls: { caCertPem: 'ca', certPem: 'cert', keyPem: 'key' },
  logger: createLogger({ level: 'silent' }),
  pathEnv: '',
};

describe('a supervised member serves its clients under TLS', () => {
  it('a member record written before client TLS (http://) is served over https, trusting the peer CA and presenting the peer certificate', () => {
    const m = new EtcdMember({ ...base, clientUrl: 'http://127.0.0.1:8203', clientCertAuth: true });
    expect(m.clientUrl).toBe('https://127.0.0.1:8203');
    expect(m.clientTls).toEqual({ caPem: 'ca', certPem: 'cert', keyPem: 'key', serverCommonName: 'node-a' });
  });

  it('without clientCertAuth (a test etcd of its own) the client URL and plain transport stay as given', () => {
    const m = new EtcdMember({ ...base, clientUrl: 'http://127.0.0.1:8203' });
    expect(m.clientUrl).toBe('http://127.0.0.1:8203');
    expect(m.clientTls).toBeUndefined();
  });
});
