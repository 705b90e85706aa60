import { constants, createCipheriv, generateKeyPairSync, publicEncrypt, randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { aeadOpen, aeadSeal, decrypt, encrypt, NONCE_BYTES, TAG_BYTES } from './cipher';
import type { KeyPolicy } from './policy';

function policy(type: KeyPolicy['type'], key: KeyPolicy['keys'][string]): KeyPolicy {
  return {
    name: 'k',
    type,
    latest_version: 1,
    min_decryption_version: 1,
    min_encryption_version: 0,
    min_available_version: 0,
    deletion_allowed: false,
    exportable: false,
    allow_plaintext_backup: false,
    auto_rotate_period: 0,
    keys: { '1': key },
  };
}
const entry = (extra: Partial<KeyPolicy['keys'][string]>) => ({ hmac_key: '', time: '', creation_time: 0, ...extra });

describe("AEAD layout is Vault's: nonce(12) || ciphertext || tag(16)", () => {
  it('decrypts a vault:v1 ciphertext built independently with node:crypto in that order (AES-256-GCM)', () => {
    const key = Buffer.from('000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f', 'hex');
    const nonce = Buffer.from('cafebabefacedbaddecaf888', 'hex');
    const c = createCipheriv('aes-256-gcm', key, nonce);
    const body = Buffer.concat([c.update('the quick brown fox'), c.final()]);
    const vaultCiphertext = 'vault:v1:' + Buffer.concat([nonce, body, c.getAuthTag()]).toString('base64');
    const p = policy('aes256-gcm96', entry({ key: key.toString('base64') }));
    expect(decrypt(p, vaultCiphertext).plaintext.toString()).toBe('the quick brown fox');
    // And the tag is at the end: moving it to the front breaks authentication.
    const swapped = 'vault:v1:' + Buffer.concat([nonce, c.getAuthTag(), body]).toString('base64');
    expect(() => decrypt(p, swapped)).toThrow('cipher: message authentication failed');
  });

  it('same for ChaCha20-Poly1305 (12-byte IETF nonce)', () => {
    const key = randomBytes(32);
    const nonce = randomBytes(12);
    const c = createCipheriv('chacha20-poly1305', key, nonce, { authTagLength: 16 });
    const body = Buffer.concat([c.update('payload'), c.final()]);
    const p = policy('chacha20-poly1305', entry({ key: key.toString('base64') }));
    expect(decrypt(p, 'vault:v1:' + Buffer.concat([nonce, body, c.getAuthTag()]).toString('base64')).plaintext.toString()).toBe('payload');
  });

  it('seal output is nonce + |plaintext| + tag long and opens back, with and without associated data', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.option(fc.uint8Array({ minLength: 1, maxLength: 20 })), (pt, aad) => {
        const key = randomBytes(32);
        const a = aad ? Buffer.from(aad) : undefined;
        const sealed = aeadSeal('aes256-gcm96', key, Buffer.from(pt), a);
        expect(sealed.length).toBe(NONCE_BYTES + pt.length + TAG_BYTES);
        expect(aeadOpen('aes256-gcm96', key, sealed, a).equals(Buffer.from(pt))).toBe(true);
      }),
      { numRuns: 50 },
    );
  });

  it('a flipped bit anywhere is a 400 authentication failure', () => {
    const key = randomBytes(32);
    const sealed = aeadSeal('aes256-gcm96', key, Buffer.from('secret'));
    for (let i = 0; i < sealed.length; i++) {
      const t = Buffer.from(sealed);
      t[i] ^= 1;
      expect(() => aeadOpen('aes256-gcm96', key, t)).toThrow(expect.objectContaining({ status: 400 }));
    }
  });
});

describe('RSA encryption is OAEP with SHA-256, as Vault', () => {
  it('decrypts what node:crypto encrypts with OAEP-SHA256 under the public key', () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const p = policy('rsa-2048', entry({ private_key: privateKey.export({ type: 'pkcs8', format: 'der' }).toString('base64') }));
    const raw = publicEncrypt({ key: publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, Buffer.from('hi'));
    expect(decrypt(p, 'vault:v1:' + raw.toString('base64')).plaintext.toString()).toBe('hi');
    const mine = encrypt(p, 0, Buffer.from('round'));
    expect(decrypt(p, mine.ciphertext).plaintext.toString()).toBe('round');
  });
});
