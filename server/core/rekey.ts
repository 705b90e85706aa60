import { randomBytes, randomUUID } from 'node:crypto';
import type { Barrier, SealConfig } from '../barrier/barrier';
import { localSealOps, rootKeyWasShared, UNSEAL_KEY_BYTES, writeLocalSeal } from '../barrier/local-seal';
import { combineKey, splitKey, validateShareConfig } from '../barrier/shamir';
import { badRequest, sealedError, VaultError } from '../errors';
import { opensSeal } from './generate-root';
import { decodeKeyShare, ShareCollector } from './key-shares';

// Rekeying the unseal keys (vault/rekey.go, sys/rekey/*): an attempt names
// the new share configuration, a threshold of the CURRENT unseal keys is
// given one by one, then a new unseal key is made, the root key re-sealed
// under it and its shares returned once. Only this cluster's seal changes
// (barrier/local-seal.ts); the keyring and every secondary stay as they are.
// One exception: a data file from before unseal keys handed out shares of the
// root key itself, so on a cluster outside replication the root key is
// replaced too (keyring re-sealed under it in the same transaction); in a
// replication set it cannot be (a secondary's seal opens the old one only).
// Coffer returns the keys in clear: PGP encryption, backup and verification
// are refused up front.
export interface RekeyOptions {
  /** True when no other cluster shares this keyring (replication disabled in both modes). */
  holdsKeyringAlone(): boolean;
  /** A root key once given out as shares stays so: replication stopped its replacement. */
  rootKeyKept?(): void;
}

interface Attempt {
  nonce: string;
  config: SealConfig;
}

export class Rekey {
  private attempt: Attempt | null = null;
  private readonly collector = new ShareCollector();

  constructor(
    private readonly barrier: Barrier,
    private readonly opts: RekeyOptions = { holdsKeyringAlone: () => false },
  ) {}

  status(): Record<string, unknown> {
    const a = this.attempt;
    return {
      nonce: a?.nonce ?? '',
      started: a !== null,
      t: a?.config.secret_threshold ?? 0,
      n: a?.config.secret_shares ?? 0,
      progress: this.collector.progress,
      required: this.barrier.sealConfig()?.secret_threshold ?? 0,
      pgp_fingerprints: null,
      backup: false,
      verification_required: false,
    };
  }

  start(input: Record<string, unknown>): Record<string, unknown> {
    if (this.barrier.sealed) throw sealedError();
    const config = { secret_shares: Number(input.secret_shares), secret_threshold: Number(input.secret_threshold) };
    const problem = validateShareConfig(config.secret_shares, config.secret_threshold);
    if (problem) throw badRequest(`invalid rekey configuration: ${problem}`);
    refuseUnsupported(input);
    if (this.attempt) throw badRequest('rekey already in progress');
    this.collector.reset();
    this.attempt = { nonce: randomUUID(), config };
    return this.status();
  }

  cancel(): void {
    this.attempt = null;
    this.collector.reset();
  }

  async update(input: { key?: unknown; nonce?: unknown }): Promise<Record<string, unknown>> {
    if (this.barrier.sealed) throw sealedError();
    const a = this.attempt;
    if (!a) throw badRequest('no barrier rekey in progress');
    if (input.nonce !== a.nonce) throw badRequest(`incorrect nonce supplied; nonce for this rekey operation is ${a.nonce}`);
    this.collector.add(decodeKeyShare(input.key));
    const required = this.barrier.sealConfig()?.secret_threshold ?? 1;
    if (this.collector.progress < required) return { ...this.status(), complete: false };
    // Threshold reached: the shares are used up whatever happens (as in Vault).
    const shares = this.collector.take();
    let current: Buffer;
    try {
      current = await combineKey(shares);
    } catch (err) {
      throw badRequest((err as VaultError).message);
    } finally {
      for (const s of shares) s.fill(0);
    }
    const ok = opensSeal(this.barrier, current);
    current.fill(0);
    if (!ok) throw badRequest('rekey failed: the unseal keys given do not open this cluster\'s seal');
    if (this.attempt !== a) throw badRequest('rekey attempt was cancelled while its last key share was processed');
    const unsealKey = randomBytes(UNSEAL_KEY_BYTES);
    const keys = await splitKey(unsealKey, a.config.secret_shares, a.config.secret_threshold);
    try {
      this.install(a.config, unsealKey);
    } finally {
      unsealKey.fill(0);
    }
    this.attempt = null;
    return {
      complete: true,
      nonce: a.nonce,
      keys: keys.map((k) => k.toString('hex')),
      keys_base64: keys.map((k) => k.toString('base64')),
      pgp_fingerprints: null,
      backup: false,
      verification_required: false,
    };
  }

  /** The new seal: the same root key under the new unseal key, or a new root key when the old one was once given out as shares. */
  private install(config: SealConfig, unsealKey: Buffer): void {
    const { physical } = this.barrier;
    const shared = rootKeyWasShared(physical);
    if (shared && this.opts.holdsKeyringAlone()) {
      this.barrier.replaceRootKey((rootKey) => localSealOps(physical, config, unsealKey, rootKey));
      return;
    }
    if (shared) this.opts.rootKeyKept?.();
    const rootKey = this.barrier.exportRootKey();
    try {
      writeLocalSeal(physical, config, unsealKey, rootKey, shared);
    } finally {
      rootKey.fill(0);
    }
  }
}

function refuseUnsupported(input: Record<string, unknown>): void {
  const pgp = input.pgp_keys;
  if (Array.isArray(pgp) ? pgp.length > 0 : pgp !== undefined && pgp !== null && pgp !== '') {
    throw badRequest('pgp_keys are not supported by Coffer: the new unseal keys are returned in clear');
  }
  if (input.backup === true || input.backup === 'true') throw badRequest('backup is not supported by Coffer (it needs pgp_keys)');
  if (input.require_verification === true || input.require_verification === 'true') {
    throw badRequest('require_verification is not supported by Coffer');
  }
}
