import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addressAllowed, cidrsWithin, isCidr } from './bound-cidrs';

// The oracle: IPv4 blocks as 32-bit integers, compared on their leading bits.
const ipv4 = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255));
const text = (a: number[]) => a.join('.');
const int = (a: number[]) => ((a[0] << 24) | (a[1] << 16) | (a[2] << 8) | a[3]) >>> 0;
const samePrefix = (x: number, y: number, bits: number) => bits === 0 || x >>> (32 - bits) === y >>> (32 - bits);

describe('bound CIDRs', () => {
  it('accepts blocks and bare addresses, refuses anything else', () => {
    for (const ok of ['10.0.0.0/8', '127.0.0.1', '127.0.0.1/32', '::1', '::1/128', 'fe80::/10', '0.0.0.0/0']) expect(isCidr(ok), ok).toBe(true);
    for (const bad of ['', '10.0.0.0/33', '10.0.0/8', 'localhost', '10.0.0.0/8/1', '::1/129', '10.0.0.0/-1', '10.0.0.0/ 8']) expect(isCidr(bad), bad).toBe(false);
  });

  it('checks the remote address, an IPv4 client on a dual-stack socket included', () => {
    expect(addressAllowed('127.0.0.1', ['10.0.0.0/8'])).toBe(false);
    expect(addressAllowed('127.0.0.1', ['10.0.0.0/8', '127.0.0.0/8'])).toBe(true);
    expect(addressAllowed('::ffff:127.0.0.1', ['127.0.0.1'])).toBe(true);
    expect(addressAllowed('::1', ['127.0.0.1/8'])).toBe(false);
    expect(addressAllowed('::1', ['::1'])).toBe(true);
    expect(addressAllowed(undefined, ['0.0.0.0/0'])).toBe(false);
  });

  it('an IPv4 address is allowed exactly when its leading bits match a block', () => {
    fc.assert(
      fc.property(ipv4, ipv4, fc.nat(32), (addr, net, bits) => {
        expect(addressAllowed(text(addr), [`${text(net)}/${bits}`])).toBe(samePrefix(int(addr), int(net), bits));
      }),
    );
  });

  it('a block is within another exactly when it is at least as narrow and shares its leading bits', () => {
    fc.assert(
      fc.property(ipv4, fc.nat(32), ipv4, fc.nat(32), (inner, innerBits, outer, outerBits) => {
        const expected = innerBits >= outerBits && samePrefix(int(inner), int(outer), outerBits);
        expect(cidrsWithin([`${text(inner)}/${innerBits}`], [`${text(outer)}/${outerBits}`])).toBe(expected);
      }),
    );
  });

  it('every inner block must be covered, by any outer block', () => {
    expect(cidrsWithin(['10.1.0.0/16', '192.168.1.7'], ['192.168.0.0/16', '10.0.0.0/8'])).toBe(true);
    expect(cidrsWithin(['10.1.0.0/16', '172.16.0.1'], ['10.0.0.0/8'])).toBe(false);
    expect(cidrsWithin([], ['10.0.0.0/8'])).toBe(true);
    expect(cidrsWithin(['::1'], ['127.0.0.0/8'])).toBe(false);
  });
});
