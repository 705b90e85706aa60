import { randomUUID } from 'node:crypto';
import type { Barrier } from '../barrier/barrier';
import { combineKey } from '../barrier/shamir';
import { badRequest, VaultError } from '../errors';
import { base62 } from './ids';
import { decodeKeyShare, ShareCollector } from './key-shares';
import { rootKeyFrom } from '../barrier/local-seal';

/** Do the combined shares open this cluster's seal (its own after a rekey) and so its keyring? */
export function opensSeal(barrier: Barrier, unsealKey: Buffer): boolean {
  let rootKey: Buffer;
  try {
    rootKey = rootKeyFrom(barrier.physical, unsealKey);
  } catch {
    return false;
  }
  const ok = barrier.verifyRootKey(rootKey);
  rootKey.fill(0);
  return ok;
}

// Root token generation with an OTP (vault/generate_root.go). The same
// machinery makes the DR operation token on a DR secondary; only the
// `generate` strategy differs.
export const OTP_LENGTH = 28; // matches 28-character hvs. tokens, as the seeds show

export interface GenerateStrategy {
  /** Mint the token once enough key shares have been verified. */
  generate(): string;
  /** Undo generate() when the attempt cannot be completed after all. */
  revoke(token: string): void;
}

interface Attempt {
  nonce: string;
  otp: string;
  pgp: boolean;
  encoded: string;
}

export class RootGeneration {
  private attempt: Attempt | null = null;
  private readonly collector = new ShareCollector();

  constructor(
    private readonly barrier: Barrier,
    private readonly strategy: GenerateStrategy,
  ) {}

  status(): Record<string, unknown> {
    const required = this.barrier.sealConfig()?.secret_threshold ?? 0;
    const a = this.attempt;
    return {
      started: a !== null,
      nonce: a?.nonce ?? '',
      progress: this.collector.progress,
      required,
      complete: Boolean(a?.encoded),
      encoded_token: a?.encoded ?? '',
      encoded_root_token: a?.encoded ?? '',
      pgp_fingerprint: '',
      otp: '',
      otp_length: OTP_LENGTH,
    };
  }

  /** Start an attempt. With no OTP given, the server makes one and returns it once. */
  start(input: { otp?: unknown; pgp_key?: unknown }): Record<string, unknown> {
    // Everything about the request is checked before an attempt exists, so a
    // bad OTP or key is a 400 now rather than a failure after a token is minted.
    const given = checkOtp(input.otp);
    checkPgpKey(input.pgp_key);
    if (this.attempt) throw badRequest('root generation already in progress');
    const otp = given ?? base62(OTP_LENGTH);
    this.collector.reset();
    this.attempt = { nonce: randomUUID(), otp, pgp: false, encoded: '' };
    return { ...this.status(), otp: given ? '' : otp };
  }

  cancel(): void {
    this.attempt = null;
    this.collector.reset();
  }

  async update(input: { key?: unknown; nonce?: unknown }): Promise<Record<string, unknown>> {
    const a = this.attempt;
    if (!a) throw badRequest('no root generation in progress');
    if (input.nonce !== a.nonce) throw badRequest('incorrect nonce supplied; nonce for this root generation operation is ' + a.nonce);
    if (a.encoded) throw badRequest('root generation already complete');
    this.collector.add(decodeKeyShare(input.key));
    const required = this.barrier.sealConfig()?.secret_threshold ?? 1;
    if (this.collector.progress < required) return this.status();
    // Threshold reached: the shares are used up whatever happens (as in Vault),
    // and nothing is minted unless they reconstruct this cluster's root key.
    const shares = this.collector.take();
    const rootKey = await combineKey(shares).catch((err: VaultError) => {
      throw badRequest(err.message.replace('failed to compute combined key', 'failed to compute root key'));
    });
    const ok = opensSeal(this.barrier, rootKey);
    rootKey.fill(0);
    for (const s of shares) s.fill(0);
    if (!ok) throw badRequest('root key verification failed: the key shares do not reconstruct this cluster\'s root key');
    // A cancel (and maybe a new start) may have happened while combining.
    if (this.attempt !== a) throw badRequest('root generation attempt was cancelled while its last key share was processed');
    const token = this.strategy.generate();
    try {
      a.encoded = xorEncode(token, a.otp);
    } catch (cause) {
      this.strategy.revoke(token);
      throw new VaultError('internal', 'failed to encode the generated token', { cause });
    }
    const status = { ...this.status(), progress: required };
    // As in Vault, a completed attempt is cleared: the next attempt can start at once.
    this.attempt = null;
    return status;
  }
}

/** base64 (std alphabet, unpadded, like Vault) of token XOR otp. */
export function xorEncode(token: string, otp: string): string {
  const t = Buffer.from(token);
  const o = Buffer.from(otp);
  if (t.length !== o.length) throw new Error(`token length ${t.length} does not match OTP length ${o.length}`);
  return Buffer.from(t.map((b, i) => b ^ o[i])).toString('base64').replace(/=+$/, '');
}

export function xorDecode(encoded: string, otp: string): string {
  const e = Buffer.from(encoded, 'base64');
  const o = Buffer.from(otp);
  if (e.length !== o.length) throw badRequest('the encoded token and the OTP differ in length');
  return Buffer.from(e.map((b, i) => b ^ o[i])).toString();
}

/** Vault compares the OTP's byte length with the token length (vault/generate_root.go GenerateRootInit). */
function checkOtp(otp: unknown): string | null {
  if (otp === undefined || otp === null || otp === '') return null;
  if (typeof otp !== 'string') throw badRequest("'otp' must be a string");
  if (Buffer.byteLength(otp) !== OTP_LENGTH) throw badRequest('OTP string is wrong length');
  return otp;
}

/** Coffer encodes with an OTP only; a pgp_key is refused up front, malformed or not, so no attempt starts. */
function checkPgpKey(key: unknown): void {
  if (key === undefined || key === null || key === '') return;
  if (typeof key !== 'string' || !/^[A-Za-z0-9+/\s]+={0,2}\s*$/.test(key)) throw badRequest('error parsing PGP key: not a base64-encoded public key');
  throw badRequest('pgp_key is not supported by Coffer; use an OTP');
}
