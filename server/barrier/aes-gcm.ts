import { createCipheriv, createDecipheriv, randomFillSync } from 'node:crypto';

// Ciphertext layout (like vault/barrier_aes_gcm.go): version(1) ‖ term(4, BE)
// ‖ nonce(12) ‖ ciphertext ‖ tag(16). The storage path is the GCM additional
// data, so a ciphertext moved to another key fails to decrypt.
const VERSION = 2;
const NONCE_LEN = 12;
const TAG_LEN = 16;
const HEADER_LEN = 1 + 4 + NONCE_LEN;

// Nonces are random (96 bits each, as GCM recommends) but drawn from a pool
// filled 4,096 at a time: one CSPRNG call per write was a visible share of
// write cost. A pool slice is never handed out twice.
const POOL_NONCES = 4096;
let pool = Buffer.alloc(0);
let poolOffset = 0;
function nextNonce(): Buffer {
  if (poolOffset >= pool.length) {
    pool = randomFillSync(Buffer.allocUnsafe(NONCE_LEN * POOL_NONCES));
    poolOffset = 0;
  }
  const nonce = pool.subarray(poolOffset, poolOffset + NONCE_LEN);
  poolOffset += NONCE_LEN;
  return nonce;
}

export function seal(key: Buffer, term: number, path: string, plaintext: Buffer): Buffer {
  const nonce = nextNonce();
  const header = Buffer.alloc(5);
  header.writeUInt8(VERSION, 0);
  header.writeUInt32BE(term, 1);
  const cipher = createCipheriv('aes-256-gcm', key, nonce);
  cipher.setAAD(Buffer.from(path));
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([header, nonce, body, cipher.getAuthTag()]);
}

export function termOf(ciphertext: Buffer): number {
  if (ciphertext.length < HEADER_LEN + TAG_LEN || ciphertext[0] !== VERSION) throw new Error('invalid ciphertext header');
  return ciphertext.readUInt32BE(1);
}

export function open(key: Buffer, path: string, ciphertext: Buffer): Buffer {
  termOf(ciphertext);
  const nonce = ciphertext.subarray(5, HEADER_LEN);
  const tag = ciphertext.subarray(ciphertext.length - TAG_LEN);
  const decipher = createDecipheriv('aes-256-gcm', key, nonce);
  decipher.setAAD(Buffer.from(path));
  decipher.setAuthTag(tag);
  return Buffer.concat([decipher.update(ciphertext.subarray(HEADER_LEN, ciphertext.length - TAG_LEN)), decipher.final()]);
}
