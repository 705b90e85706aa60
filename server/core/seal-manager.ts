import { randomBytes, randomUUID } from 'node:crypto';
import type { SealStatusResponse } from '../../lib/types/cluster-status';
import type { Barrier, SealConfig } from '../barrier/barrier';
import { combineKey, splitKey, validateShareConfig } from '../barrier/shamir';
import { badRequest, VaultError } from '../errors';
import { decodeKeyShare, ShareCollector } from './key-shares';
import { migrateLocalSeal, rootKeyFrom, UNSEAL_KEY_BYTES } from '../barrier/local-seal';

export const VERSION = '1.17.0+coffer';

export interface InitResult {
  keys: string[];
  keys_base64: string[];
  root_token: string;
}

/**
 * A new node that asked to join a raft cluster (sys/storage/raft/join): it
 * shows the cluster's share configuration, and the shares that unseal it first
 * finish the join (ha/raft-cluster.ts), which brings the cluster's data here.
 */
export interface PendingJoin {
  readonly sealConfig: SealConfig;
  /** Given the combined unseal key: prove it to the leader, join, sync; returns the root key. */
  complete(unsealKey: Buffer): Promise<Buffer>;
}

// Initialisation and the unseal ceremony (vault/init.go, vault/seal.go).
export class SealManager {
  private readonly collector = new ShareCollector();
  private nonce = '';
  pendingJoin: PendingJoin | null = null;

  constructor(
    private readonly barrier: Barrier,
    private readonly hooks: {
      /** Runs once on a new barrier: default mounts, policies, the root token. */
      setupNew(opts: { rootTokenId?: string }): string;
      /** Runs after every unseal: load mount tables, start replication. */
      afterUnseal(): void;
      beforeSeal(): void;
      /** A data file from before unseal keys could not be moved to them at unseal (it still opens as before). */
      migrationFailed?(err: unknown): void;
    },
  ) {}

  async init(config: SealConfig, opts: { rootTokenId?: string; stayUnsealed?: boolean } = {}): Promise<InitResult> {
    if (this.barrier.initialized()) throw badRequest('Vault is already initialized');
    const problem = validateShareConfig(config.secret_shares, config.secret_threshold);
    if (problem) throw badRequest(problem);
    // Vault's Shamir seal: the shares are of a random unseal key, never of the root key (local-seal.ts).
    const unsealKey = randomBytes(UNSEAL_KEY_BYTES);
    const rootKey = this.barrier.initialize(config, unsealKey);
    const shares = await splitKey(unsealKey, config.secret_shares, config.secret_threshold);
    unsealKey.fill(0);
    this.barrier.unseal(rootKey);
    const rootToken = this.hooks.setupNew({ rootTokenId: opts.rootTokenId });
    if (opts.stayUnsealed) this.hooks.afterUnseal();
    else this.barrier.seal();
    rootKey.fill(0);
    return { keys: shares.map((s) => s.toString('hex')), keys_base64: shares.map((s) => s.toString('base64')), root_token: rootToken };
  }

  async unseal(key: unknown): Promise<void> {
    if (!this.barrier.initialized() && !this.pendingJoin) throw badRequest('Vault is not initialized');
    if (!this.barrier.sealed) return;
    const config = this.barrier.sealConfig() ?? this.pendingJoin!.sealConfig;
    // A key that does not even decode is refused before it counts (as Vault's
    // HTTP handler does): the shares other operators entered are kept.
    const share = decodeKeyShare(key);
    if (this.collector.progress === 0) this.nonce = randomUUID();
    try {
      this.collector.add(share);
    } catch {
      return; // Vault ignores a repeated share during unseal
    }
    if (this.collector.progress < config.secret_threshold) return;
    // Threshold reached: this attempt is over whatever happens next, so a
    // wrong set of shares answers 400 and the next key starts a new attempt.
    const shares = this.collector.take();
    this.nonce = '';
    let rootKey: Buffer | null = null;
    let unsealKey: Buffer | null = null;
    try {
      unsealKey = await combineKey(shares);
      rootKey = this.barrier.initialized() ? rootKeyFrom(this.barrier.physical, unsealKey) : await this.pendingJoin!.complete(unsealKey); // unwrapped from the local seal (local-seal.ts)
      this.barrier.unseal(rootKey);
      this.migrate(config, unsealKey, rootKey);
    } catch (cause) {
      if (cause instanceof VaultError) throw cause;
      throw new VaultError('invalid_request', 'Unseal failed, invalid key', { cause });
    } finally {
      rootKey?.fill(0);
      unsealKey?.fill(0);
      for (const s of shares) s.fill(0);
    }
    this.hooks.afterUnseal();
  }

  /** A data file from before unseal keys moves to them now, with the same shares; a failure leaves it opening as before. */
  private migrate(config: SealConfig, unsealKey: Buffer, rootKey: Buffer): void {
    try {
      migrateLocalSeal(this.barrier.physical, config, unsealKey, rootKey);
    } catch (err) {
      this.hooks.migrationFailed?.(err);
    }
  }

  resetUnseal(): void {
    this.collector.reset();
    this.nonce = '';
  }

  seal(): void {
    if (this.barrier.sealed) return;
    this.hooks.beforeSeal();
    this.barrier.seal();
  }

  /** Adopt a root key handed over by a primary (replication bootstrap; its seal came in the same transaction). */
  adoptRootKey(rootKey: Buffer): void {
    this.barrier.unseal(rootKey);
  }

  status(extra: { clusterName?: string; clusterId?: string }): SealStatusResponse {
    const config = this.barrier.sealConfig() ?? this.pendingJoin?.sealConfig ?? null;
    const sealed = this.barrier.sealed;
    return {
      type: 'shamir',
      initialized: config !== null,
      sealed,
      t: config?.secret_threshold ?? 0,
      n: config?.secret_shares ?? 0,
      progress: this.collector.progress,
      nonce: this.nonce,
      version: VERSION,
      build_date: '2026-11-22T00:00:00Z',
      migration: false,
      recovery_seal: false,
      storage_type: 'raft',
      ...(sealed ? {} : { cluster_name: extra.clusterName, cluster_id: extra.clusterId }),
    };
  }
}
