import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_PRIMARY_CLUSTER_ADDRS, clusterAddrError, parseClusterAddrs } from './cluster-addrs';

describe('cluster addresses for update_primary_addrs', () => {
  it('accepts https://host:port, with a hostname, IPv4 or IPv6 host', () => {
    for (const a of ['https://10.0.0.5:8201', 'https://primary.example:8201', 'https://[::1]:8201', 'https://10.0.0.5:8201/', ' https://a:1 ', 'HTTPS://a:443'])
      expect(clusterAddrError(a), a).toBeNull();
  });

  it('refuses what is not a cluster address, saying why', () => {
    expect(clusterAddrError('')).toBe('is empty');
    expect(clusterAddrError('http://10.0.0.5:8201')).toMatch(/must start with https:\/\//);
    expect(clusterAddrError('10.0.0.5:8201')).toMatch(/must start with https:\/\//);
    expect(clusterAddrError('https://10.0.0.5')).toMatch(/needs a port/);
    expect(clusterAddrError('https://10.0.0.5:443'.replace(':443', ''))).toMatch(/needs a port/);
    expect(clusterAddrError('https://[::1]')).toMatch(/needs a port/);
    expect(clusterAddrError('https://10.0.0.5:0')).toMatch(/outside 1–65535/);
    expect(clusterAddrError('https://10.0.0.5:70000')).not.toBeNull();
    expect(clusterAddrError('https://10.0.0.5:8201/v1/sys')).toMatch(/without a path/);
    expect(clusterAddrError('https://10.0.0.5:8201?x=1')).toMatch(/without a path/);
    expect(clusterAddrError('https://u:p@10.0.0.5:8201')).toMatch(/user name or password/);
    expect(clusterAddrError('https://:8201')).not.toBeNull();
  });

  it('splits lines and commas, keeps the order, drops blanks', () => {
    expect(parseClusterAddrs('https://a:8201\n\n https://b:8201 ,https://c:8201\n')).toEqual({
      addrs: ['https://a:8201', 'https://b:8201', 'https://c:8201'],
      errors: [],
    });
    expect(parseClusterAddrs('  \n ')).toEqual({ addrs: [], errors: [] });
  });

  it('names each bad or repeated address, and too many', () => {
    const r = parseClusterAddrs('https://a:8201\nhttp://b:8201\nhttps://a:8201/');
    expect(r.errors).toEqual(['http://b:8201 must start with https:// (a cluster address, e.g. https://10.0.0.5:8201)', 'https://a:8201/ is listed twice']);
    const many = Array.from({ length: MAX_PRIMARY_CLUSTER_ADDRS + 1 }, (_, i) => `https://h${i}:8201`).join('\n');
    expect(parseClusterAddrs(many).errors).toEqual([`At most ${MAX_PRIMARY_CLUSTER_ADDRS} addresses can be given (17 listed)`]);
  });

  it('every https://<host>:<port> built from valid parts passes, and parsing keeps all of them in order', () => {
    const host = fc.oneof(fc.domain(), fc.ipV4(), fc.ipV6().map((h) => `[${h}]`));
    const addr = fc.tuple(host, fc.integer({ min: 1, max: 65535 })).map(([h, p]) => `https://${h}:${p}`);
    fc.assert(
      fc.property(fc.uniqueArray(addr, { maxLength: MAX_PRIMARY_CLUSTER_ADDRS, selector: (a) => a.toLowerCase() }), (addrs) => {
        for (const a of addrs) expect(clusterAddrError(a), a).toBeNull();
        expect(parseClusterAddrs(addrs.join('\n'))).toEqual({ addrs, errors: [] });
      }),
    );
  });
});
