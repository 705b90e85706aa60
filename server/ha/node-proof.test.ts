import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { newNodeProofNonce, nodeProofMatches, proveNode } from './node-proof';

const key = randomBytes(32);
const A = 'http://10.0.0.1:8200';

describe('node proof', () => {
  it('holds for the node id and nonce it was made for, with the same root key only', () => {
    const nonce = newNodeProofNonce();
    const proof = proveNode(key, nonce, 'node-1', A)!;
    expect(nodeProofMatches(key, nonce, 'node-1', A, proof)).toBe(true);
    expect(nodeProofMatches(key, nonce, 'node-2', A, proof)).toBe(false);
    expect(nodeProofMatches(key, newNodeProofNonce(), 'node-1', A, proof)).toBe(false);
    expect(nodeProofMatches(randomBytes(32), nonce, 'node-1', A, proof)).toBe(false);
    expect(nodeProofMatches(key, nonce, 'node-1', A, '0'.repeat(64))).toBe(false);
    expect(nodeProofMatches(key, nonce, 'node-1', A, undefined)).toBe(false);
  });

  it("a forged address cannot pass on the real node's proof: the proof names the prover's own address", () => {
    const nonce = newNodeProofNonce();
    const relayed = proveNode(key, nonce, 'node-1', A)!;
    expect(nodeProofMatches(key, nonce, 'node-1', 'http://10.0.0.66:8200', relayed)).toBe(false);
  });

  it('signs only nonces of the shape a standby makes', () => {
    expect(proveNode(key, 'x', 'node-1', A)).toBeUndefined();
    expect(proveNode(key, undefined, 'node-1', A)).toBeUndefined();
  });
});
