import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FORWARDED_FOR_HEADER, FORWARDED_PROOF_HEADER, PROOF_MAX_AGE_MS, proveForwardedFor, verifiedForwardedFor, vouchedClientAddress } from './forwarded-client';

const key = randomBytes(32);
const claim = { clientAddr: '10.0.0.7', method: 'POST', target: '/v1/auth/userpass/login/alice', body: Buffer.from('{"password":"pw"}') };

describe('forwarded client address proof', () => {
  it('vouches for the address it was made for, on the same request, within its age', () => {
    const proof = proveForwardedFor(key, claim, 1_000_000);
    expect(verifiedForwardedFor(key, { ...claim, proof }, 1_000_000 + PROOF_MAX_AGE_MS)).toBe('10.0.0.7');
  });

  it('vouches for nothing once any part of the request, the key or the time differs', () => {
    const proof = proveForwardedFor(key, claim, 1_000_000);
    const at = 1_000_000;
    expect(verifiedForwardedFor(key, { ...claim, clientAddr: '10.0.0.8', proof }, at)).toBeUndefined();
    expect(verifiedForwardedFor(key, { ...claim, method: 'PUT', proof }, at)).toBeUndefined();
    expect(verifiedForwardedFor(key, { ...claim, target: '/v1/auth/userpass/login/bob', proof }, at)).toBeUndefined();
    expect(verifiedForwardedFor(key, { ...claim, body: Buffer.from('{"password":"other"}'), proof }, at)).toBeUndefined();
    expect(verifiedForwardedFor(randomBytes(32), { ...claim, proof }, at)).toBeUndefined();
    expect(verifiedForwardedFor(key, { ...claim, proof }, at + PROOF_MAX_AGE_MS + 1)).toBeUndefined();
    expect(verifiedForwardedFor(key, { ...claim, proof: proof.replace(/^\d+/, String(at + 1)) }, at)).toBeUndefined();
  });

  it('no string of a client without the key passes (property)', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (addr, proof) => verifiedForwardedFor(key, { ...claim, clientAddr: addr, proof }) === undefined),
    );
  });

  it('the API edge takes the address only with a proof, and never while sealed', () => {
    const headers = { [FORWARDED_FOR_HEADER]: claim.clientAddr, [FORWARDED_PROOF_HEADER]: proveForwardedFor(key, claim) };
    const req = { method: claim.method, url: claim.target, headers };
    expect(vouchedClientAddress(() => Buffer.from(key), req, claim.body)).toBe('10.0.0.7');
    expect(vouchedClientAddress(() => Buffer.from(key), { ...req, headers: { [FORWARDED_FOR_HEADER]: claim.clientAddr } }, claim.body)).toBeUndefined();
    expect(
      vouchedClientAddress(() => {
        throw new Error('sealed');
      }, req, claim.body),
    ).toBeUndefined();
  });
});
