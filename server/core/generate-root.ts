import { randomUUID } from 'node:crypto';
import type { Barrier } from '../barrier/barrier';
import { combineKey } from '../barrier/shamir';
import { badRequest } from '../errors';
import { base62 } from './ids';
import { decodeKeyShare, ShareCollector } from './key-shares';

// Root token generation with an OTP (vault/generate_root.go). The same
// machinery makes the DR operation token on a DR secondary; only the
// `generate` strategy differs.
export const OTP_LENGTH = 28; // matches 28-character hvs. tokens, as the seeds show

export interface GenerateStrategy {
  /** Mint the token once enough key shares have been verified. */
  generate(): string;
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
    if (this.attempt) throw badRequest('root generation already in progress');
    if (input.pgp_key) throw badRequest('pgp_key is not supported by Coffer; use an OTP');
    let otp: string;
    if (input.otp !== undefined && input.otp !== '') {
      if (typeof input.otp !== 'string') throw badRequest("'otp' must be a string");
      otp = input.otp;
    } else otp = base62(OTP_LENGTH);
    this.collector.reset();
    this.attempt = { nonce: randomUUID(), otp, pgp: false, encoded: '' };
    return { ...this.status(), otp: input.otp ? '' : otp };
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
    const rootKey = await combineKey(this.collector.take());
    const ok = this.barrier.verifyRootKey(rootKey);
    rootKey.fill(0);
    if (!ok) {
      this.collector.reset();
      throw badRequest('failed to verify the key shares: they do not reconstruct this cluster\'s root key');
    }
    const token = this.strategy.generate();
    a.encoded = xorEncode(token, a.otp);
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
  return Buffer.from(e.map((b, i) => b ^ o[i])).toString();
}
