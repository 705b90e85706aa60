import type { StorageOp } from '../storage/backend';
import type { JWK } from './activation-token';
import type { CaMaterial } from './ca';
import type { KnownSecondary, ModeState } from './state';

// The performance replication set a cluster leads, mirrored to its DR
// secondaries so that a promoted DR secondary *is* the performance primary
// (issue 8 item 9): same cluster id, same known secondaries with their
// certificate serials, the same CA (so their certificates still authenticate
// and they accept its listener's) and the same activation-token signing key.
// The performance secondaries then follow it with update-primary, by token or
// by address, without a wipe. One sealed record, class `local` (key-class.ts):
// it exists only while the cluster leads a set, so no secondary ever has one
// to carry through its bootstrap.
//
// The node's own ModeState stays node-local (class `ignored`): on a DR
// secondary the performance mode is `disabled` — it serves nothing, as in
// Vault, whose DR secondary reports performance "disabled" — until promotion
// adopts this record.
export const PERFORMANCE_SET_PATH = 'core/replication/performance/set';

export interface SetCredentials {
  ca: CaMaterial;
  signingKey: { privateJwk: JWK; publicJwk: JWK };
}

export interface PerformanceSetRecord extends SetCredentials {
  clusterId: string;
  epoch: number;
  secondaries: KnownSecondary[];
}

/** The set a performance state leads (null: it leads none), with the credentials it leads it with. */
export function setRecordOf(s: ModeState, creds: Partial<SetCredentials>): PerformanceSetRecord | null {
  if (s.mode !== 'primary' || !creds.ca || !creds.signingKey) return null;
  return { clusterId: s.clusterId, epoch: s.epoch, secondaries: s.secondaries, ca: creds.ca, signingKey: creds.signingKey };
}

/**
 * Storage ops that keep the mirrored record in step with a new performance
 * state: a put when the record changed, nothing when it did not. `stored` is
 * the record's current plaintext; `wasPrimary` says whether the state being
 * replaced led the set. Only a cluster that led the set removes the record
 * (demote, disable): on a DR secondary, whose performance mode is disabled,
 * the mirrored record must survive every local state write.
 */
export function setMirrorOps(
  next: ModeState,
  wasPrimary: boolean,
  stored: Buffer | null,
  creds: Partial<SetCredentials>,
  seal: (key: string, plain: Buffer) => Buffer,
): StorageOp[] {
  const rec = setRecordOf(next, creds);
  if (!rec) return wasPrimary && stored ? [{ op: 'delete', key: PERFORMANCE_SET_PATH }] : [];
  const plain = Buffer.from(JSON.stringify(rec));
  if (stored?.equals(plain)) return [];
  return [{ op: 'put', key: PERFORMANCE_SET_PATH, value: seal(PERFORMANCE_SET_PATH, plain) }];
}
