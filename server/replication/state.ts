import type { Barrier } from '../barrier/barrier';
import type { StorageOp } from '../storage/backend';
import type { KeyClass } from '../storage/key-class';
import type { SqliteBackend } from '../storage/sqlite';
import { isFenced } from '../storage/write-fence';
import type { JWK } from './activation-token';
import type { CaMaterial, LeafMaterial } from './ca';
import type { ReplicationMode, WirePosition } from './frames';
import { PERFORMANCE_SET_PATH, setMirrorOps, type PerformanceSetRecord, type SetCredentials } from './performance-set';

// Persistent replication state of one node, per mode. Everything lives under
// core/replication/ (class `ignored`: never shipped to another cluster).
// Only what status must show while sealed (mode, ids, addresses, epoch, cert
// serials) is plain JSON in physical storage; anything that could be used —
// CA and signing keys, bundles, the hash that revokes an activation token —
// goes behind the barrier. Nothing here holds a token id.
export type Mode = ReplicationMode;
export const MODES: Mode[] = ['dr', 'performance'];
export type ClusterMode = 'disabled' | 'primary' | 'secondary' | 'bootstrapping';

/** Secondary states use Vault's names (sdk/helper/consts/replication.go). */
export type SecondaryState = 'idle' | 'connecting' | 'merkle-diff' | 'merkle-sync' | 'stream-wals' | 'bootstrapping';
export type ConnectionState = 'idle' | 'connecting' | 'ready' | 'transient_failure' | 'shutdown';

export interface KnownSecondary {
  id: string;
  serial: string;
  revoked: boolean;
  createdAt: string;
  /**
   * When the primary handed it the root key (bootstrap), or when it first
   * connected already holding it (update-primary). Once set, no one presenting
   * this certificate gets the root key: a copied bundle cannot pull it later.
   * A new activation token (new certificate) starts over.
   */
  bootstrappedAt?: string;
  /**
   * sha256 of the nonce the secondary sent when it claimed the root key. The
   * same secondary (it keeps the nonce with its bundle until its bootstrap
   * commits) may fetch the key again after a crash mid-bootstrap; a copy of the
   * bundle alone cannot. Cleared meaning: see bootstrapConfirmedAt.
   */
  bootstrapNonceHash?: string;
  /** When the secondary confirmed its bootstrap committed (bootstrap-ack, or a hello that needs none): no re-fetch after this. */
  bootstrapConfirmedAt?: string;
  /** Its API address, learned from its hello. */
  apiAddress?: string;
}

export interface ModeState {
  mode: ClusterMode;
  clusterId: string;
  /** Bumped by each promotion: a secondary never follows a primary older than one it has seen. */
  epoch: number;
  // primary
  primaryClusterAddr: string;
  secondaries: KnownSecondary[];
  // secondary
  secondaryId: string;
  primaryApiAddr: string;
  primaryClusterAddrInUse: string;
  /** Every node of the primary's cluster, as its active last listed them (status known_primary_cluster_addrs): where to look when the node in use fails. */
  knownPrimaryClusterAddrs: string[];
  lastStart: string;
  /** Why replication stopped or refused, shown in status. */
  lastError: string;
  promotedAt: string;
  /** After a promotion: the API address of the primary we replaced, watched for a stale return. */
  formerPrimaryApiAddr: string;
  /** …and its cluster address, where the epoch exchange tells it (epoch-exchange.ts). */
  formerPrimaryClusterAddr: string;
  /** Set when that former primary is seen still claiming to be primary. */
  stalePrimaryWarning: string;
}

export interface SecondaryBundle {
  caCert: string;
  clientCert: string;
  clientKey: string;
}

export const statePath = (m: Mode) => `core/replication/${m}/state`;
const positionPath = (m: Mode) => `core/replication/${m}/position`;
/** No position: the primary answers a hello with it by asking for a merkle sync. */
export const NO_POSITION: WirePosition = Object.freeze({ index: 0, guard: '' });
const bundlePath = (m: Mode) => `core/replication/${m}/bundle`;
const formerBundlePath = (m: Mode) => `core/replication/${m}/former-primary-bundle`;
const bootstrapNoncePath = (m: Mode) => `core/replication/${m}/bootstrap-nonce`;
const CA_PATH = 'core/replication/ca';
const SERVER_CERT_PATH = 'core/replication/server-cert';
const SIGNING_KEY_PATH = 'core/replication/jwt-key';
const OP_TOKENS_PREFIX = 'core/replication/dr/op-tokens/';
/** Per known secondary, behind the barrier: wrapTokenHash of its activation token, so revoke-secondary can kill an unused one. */
const activationPrefix = (m: Mode) => `core/replication/${m}/activation/`;

/** Keys of this layout that are plain JSON (readable while sealed); every other key under core/replication/ is barrier-sealed. */
export const isPlainReplicationKey = (key: string) => /^core\/replication\/(dr|performance)\/(state|position|fence)$/.test(key);

/** Before the token hash moved behind the barrier, the plaintext state held the token id itself. */
type LegacySecondary = KnownSecondary & { tokenId?: string };

export function emptyState(): ModeState {
  return {
    mode: 'disabled',
    clusterId: '',
    epoch: 0,
    primaryClusterAddr: '',
    secondaries: [],
    secondaryId: '',
    primaryApiAddr: '',
    primaryClusterAddrInUse: '',
    knownPrimaryClusterAddrs: [],
    lastStart: '',
    lastError: '',
    promotedAt: '',
    formerPrimaryApiAddr: '',
    formerPrimaryClusterAddr: '',
    stalePrimaryWarning: '',
  };
}

export class ReplicationStore {
  // Every request's gates ask for the mode, so the state is kept in memory;
  // this store is the only writer of these keys.
  private readonly cached = new Map<Mode, ModeState>();

  constructor(
    private readonly physical: SqliteBackend,
    private readonly barrier: Barrier,
  ) {
    // A rolled-back group commit may have carried a state write, and an
    // applier may write one (bootstrap): read it again (storage's change bus).
    physical.changes.subscribe('core/replication/', (keys) => {
      if (keys === null) this.cached.clear();
      else for (const m of MODES) if (keys.includes(statePath(m))) this.cached.delete(m);
    });
  }

  state(m: Mode): ModeState {
    let s = this.cached.get(m);
    if (!s) {
      const raw = this.physical.get(statePath(m));
      s = raw ? { ...emptyState(), ...(JSON.parse(raw.toString()) as ModeState) } : emptyState();
      this.cached.set(m, s);
    }
    return structuredClone(s);
  }

  /** Just the mode, without copying the state (hot path: every request's gates). */
  mode(m: Mode): ClusterMode {
    return this.cached.get(m)?.mode ?? this.state(m).mode;
  }

  saveState(m: Mode, s: ModeState): void {
    this.physical.transaction([this.stateOp(m, s), ...this.setMirrorOps(m, s)]);
    this.cached.set(m, structuredClone(s));
  }

  /**
   * With a performance state: keep the DR-mirrored record of the set it leads
   * in step, in the same transaction (performance-set.ts). Call before the
   * cache holds `s`: the cached mode says whether the cluster led the set.
   */
  private setMirrorOps(m: Mode, s: ModeState): StorageOp[] {
    if (m !== 'performance' || this.barrier.sealed) return [];
    const wasPrimary = this.mode(m) === 'primary';
    if (s.mode !== 'primary' && !wasPrimary) return []; // a DR secondary's mirrored record stays as shipped
    // A DR secondary mirrors its DR primary's record, whatever stale performance role it still holds (a demoted old primary re-joined).
    if (this.mode('dr') === 'secondary' || this.mode('dr') === 'bootstrapping') return [];
    // A superseded DR primary writes nothing its DR set ships (storage's write fence): its stale record is replaced when it re-joins.
    if (MODES.some((scope) => this.fencedFor(scope, 'local'))) return [];
    const creds = { ca: this.ca() ?? undefined, signingKey: this.signingKey() ?? undefined };
    return setMirrorOps(s, wasPrimary, this.barrier.get(PERFORMANCE_SET_PATH), creds, (k, v) => this.barrier.encrypt(k, v));
  }

  private fencedFor(scope: Mode, cls: KeyClass): boolean {
    const r = this.physical.fence.record(scope);
    return isFenced(r) && r.classes.includes(cls);
  }

  /** Write the set record if it is missing or behind (a data dir from before it existed; a crash between two commits). */
  syncSetMirror(): void {
    const ops = this.setMirrorOps('performance', this.state('performance'));
    if (ops.length) this.physical.transaction(ops);
  }

  /** The performance set this cluster's DR primary led, as mirrored here (null on anything else). */
  performanceSet(): PerformanceSetRecord | null {
    return this.barrier.getJSON<PerformanceSetRecord>(PERFORMANCE_SET_PATH);
  }

  /** Serve with a replication set's CA and signing key (a DR promotion takes the set over); the listener certificate is reissued from that CA. */
  adoptSetCredentials(c: SetCredentials): void {
    this.physical.transaction([this.sealedOp(CA_PATH, c.ca), this.sealedOp(SIGNING_KEY_PATH, c.signingKey), { op: 'delete', key: SERVER_CERT_PATH }]);
  }

  /** The storage op that records a mode's state, for a transaction that must commit it with other writes. */
  stateOp(m: Mode, s: ModeState): StorageOp {
    return { op: 'put', key: statePath(m), value: Buffer.from(JSON.stringify(s)) };
  }

  /**
   * Commit ops and the new states in ONE storage transaction (`apply`:
   * physical.transaction, or applyShipped for a secondary's applier), then
   * cache the states. Nothing is cached if the transaction throws; a group
   * commit that fails later drops the cache (see the constructor).
   */
  commit(apply: (ops: StorageOp[]) => unknown, ops: StorageOp[], states: Partial<Record<Mode, ModeState>>): void {
    const stateOps = MODES.filter((m) => states[m]).flatMap((m) => [this.stateOp(m, states[m]!), ...this.setMirrorOps(m, states[m]!)]);
    apply([...ops, ...stateOps]);
    for (const m of MODES) if (states[m]) this.cached.set(m, structuredClone(states[m]!));
  }

  /** A put sealed by the barrier's current keyring, for such a transaction. */
  sealedOp(key: string, value: unknown): StorageOp {
    return { op: 'put', key, value: this.barrier.encrypt(key, Buffer.from(JSON.stringify(value))) };
  }

  bundleOps(m: Mode, b: SecondaryBundle | null): StorageOp[] {
    return [b ? this.sealedOp(bundlePath(m), b) : { op: 'delete', key: bundlePath(m) }];
  }

  /** The nonce a bootstrapping secondary claims the root key with; kept until its bootstrap commits. */
  bootstrapNonce(m: Mode): string {
    return this.barrier.getJSON<{ nonce: string }>(bootstrapNoncePath(m))?.nonce ?? '';
  }
  bootstrapNonceOp(m: Mode, nonce: string | null): StorageOp {
    return nonce ? this.sealedOp(bootstrapNoncePath(m), { nonce }) : { op: 'delete', key: bootstrapNoncePath(m) };
  }

  /** A promoted primary's credentials for its former primary's cluster port (its last bundle), for the epoch exchange. */
  formerPrimaryCredentials(m: Mode): SecondaryBundle | null {
    return this.barrier.getJSON<SecondaryBundle>(formerBundlePath(m));
  }
  formerPrimaryCredentialsOps(m: Mode, b: SecondaryBundle | null): StorageOp[] {
    return [b ? this.sealedOp(formerBundlePath(m), b) : { op: 'delete', key: formerBundlePath(m) }];
  }

  position(m: Mode): WirePosition {
    const raw = this.physical.get(positionPath(m));
    return raw ? (JSON.parse(raw.toString()) as WirePosition) : NO_POSITION;
  }

  /** The storage op that records a position: written in the same transaction as the records it covers. */
  positionOp(m: Mode, p: WirePosition) {
    return { op: 'put' as const, key: positionPath(m), value: Buffer.from(JSON.stringify(p)) };
  }

  bundle(m: Mode): SecondaryBundle | null {
    return this.barrier.getJSON<SecondaryBundle>(bundlePath(m));
  }
  saveBundle(m: Mode, b: SecondaryBundle | null): void {
    if (b) this.barrier.putJSON(bundlePath(m), b);
    else this.barrier.delete(bundlePath(m));
  }

  ca(): CaMaterial | null {
    return this.barrier.getJSON<CaMaterial>(CA_PATH);
  }
  saveCa(ca: CaMaterial | null, serverCert: LeafMaterial | null): void {
    if (ca && serverCert) {
      this.barrier.putJSON(CA_PATH, ca);
      this.barrier.putJSON(SERVER_CERT_PATH, serverCert);
    } else {
      this.barrier.delete(CA_PATH);
      this.barrier.delete(SERVER_CERT_PATH);
    }
  }
  serverCert(): LeafMaterial | null {
    return this.barrier.getJSON<LeafMaterial>(SERVER_CERT_PATH);
  }

  signingKey(): { privateJwk: JWK; publicJwk: JWK } | null {
    return this.barrier.getJSON(SIGNING_KEY_PATH);
  }
  saveSigningKey(k: { privateJwk: JWK; publicJwk: JWK } | null): void {
    if (k) this.barrier.putJSON(SIGNING_KEY_PATH, k);
    else this.barrier.delete(SIGNING_KEY_PATH);
  }

  saveActivation(m: Mode, id: string, tokenHash: string): void {
    this.barrier.putJSON(activationPrefix(m) + id, { tokenHash });
  }
  activation(m: Mode, id: string): { tokenHash: string } | null {
    return this.barrier.getJSON(activationPrefix(m) + id);
  }
  /** Ids with a stored activation hash (revoked on disable/demote). */
  activations(m: Mode): string[] {
    return this.barrier.list(activationPrefix(m));
  }
  deleteActivation(m: Mode, id: string): void {
    this.barrier.delete(activationPrefix(m) + id);
  }

  /**
   * After unseal: a state written before this layout kept each activation
   * token's id in the plaintext JSON. Move its hash behind the barrier and
   * rewrite the state without it. Returns how many ids were scrubbed.
   */
  scrubLegacyTokenIds(hash: (tokenId: string) => string): number {
    let n = 0;
    for (const m of MODES) {
      const s = this.state(m);
      const legacy = (s.secondaries as LegacySecondary[]).filter((k) => k.tokenId !== undefined);
      if (!legacy.length) continue;
      for (const k of legacy) if (k.tokenId) this.saveActivation(m, k.id, hash(k.tokenId));
      this.saveState(m, { ...s, secondaries: (s.secondaries as LegacySecondary[]).map(({ tokenId: _dropped, ...k }) => k) });
      n += legacy.length;
    }
    return n;
  }

  saveOperationToken(hash: string): void {
    this.barrier.putJSON(OP_TOKENS_PREFIX + hash, { createdAt: new Date().toISOString() });
  }
  hasOperationToken(hash: string): boolean {
    return this.barrier.get(OP_TOKENS_PREFIX + hash) !== null;
  }
  deleteOperationToken(hash: string): void {
    this.barrier.delete(OP_TOKENS_PREFIX + hash);
  }
}
