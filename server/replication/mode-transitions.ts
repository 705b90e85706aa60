import { badRequest, VaultError } from '../errors';
import { emptyState, type ClusterMode, type KnownSecondary, type Mode, type ModeState } from './state';

// The control plane of one replication mode (dr or performance) as one
// transition function over one table (STYLE.md "Replication engine"; vault
// sdk/helper/consts/replication.go names the modes). Every change of a mode's
// role — enable, bootstrap done, promote, demote, update-primary, disable —
// goes through transition(): the ops check nothing about modes themselves, and
// nothing else writes `mode`. Fields that only describe a role (addresses,
// errors, known secondaries) change with ReplicationManager.save.
export type ControlEvent =
  | { type: 'enable-primary'; clusterId: string; primaryClusterAddr: string }
  | { type: 'enable-secondary'; clusterId: string; secondaryId: string; primaryApiAddr: string; primaryClusterAddr: string }
  /** The primary's keyring, root key and seal config are adopted (one transaction with this). */
  | { type: 'bootstrapped' }
  | { type: 'promote'; primaryClusterAddr: string; at: string }
  | { type: 'demote' }
  | { type: 'disable-primary' }
  | { type: 'disable-secondary' }
  /** update-primary with a token: follow another primary of the same set. */
  | { type: 'update-primary'; secondaryId: string; primaryApiAddr: string; primaryClusterAddr: string }
  /** update-primary with token "": stay a secondary, follow no one. */
  | { type: 'detach' }
  /** A primary of this set said it leads at this epoch (hello-ack, epoch exchange). */
  | { type: 'epoch-seen'; epoch: number }
  /**
   * A DR promotion takes over the performance set its former primary led, as
   * mirrored here (performance-set.ts): same set and known secondaries.
   */
  | {
      type: 'take-over-set';
      clusterId: string;
      epoch: number;
      secondaries: KnownSecondary[];
      primaryClusterAddr: string;
      at: string;
      formerPrimaryApiAddr: string;
      formerPrimaryClusterAddr: string;
    };

export type ControlEventType = ControlEvent['type'];

/** How the API names each mode in its answers. */
export const KIND: Record<Mode, string> = { dr: 'DR', performance: 'performance' };

/** From which modes each event is allowed, and the mode it leads to ('same': unchanged). */
export const TRANSITIONS: Record<ControlEventType, { from: readonly ClusterMode[]; to: ClusterMode | 'same' }> = {
  'enable-primary': { from: ['disabled'], to: 'primary' },
  'enable-secondary': { from: ['disabled'], to: 'bootstrapping' },
  bootstrapped: { from: ['bootstrapping'], to: 'secondary' },
  promote: { from: ['secondary'], to: 'primary' },
  demote: { from: ['primary'], to: 'secondary' },
  'disable-primary': { from: ['primary'], to: 'disabled' },
  'disable-secondary': { from: ['secondary', 'bootstrapping'], to: 'disabled' },
  'update-primary': { from: ['secondary'], to: 'secondary' },
  detach: { from: ['secondary'], to: 'secondary' },
  'epoch-seen': { from: ['secondary', 'bootstrapping'], to: 'same' },
  // From a stale role in the set too: an old primary, demoted and re-joined as a DR secondary, promoted again (fail-back).
  'take-over-set': { from: ['disabled', 'primary', 'secondary'], to: 'primary' },
};

/** The epoch of a set's first primary; every promotion moves past every epoch seen. */
export const FIRST_EPOCH = 1;

/** The refusal for an event not allowed from this mode, in the words the API answers with. */
function refusal(kind: string, from: ClusterMode, e: ControlEventType): VaultError {
  switch (e) {
    case 'enable-primary':
      return badRequest(
        from === 'primary' ? `this cluster is already a ${kind} primary` : `this cluster is a ${kind} ${from}: promote it instead of enabling it as a primary`,
      );
    case 'enable-secondary':
      return badRequest(`this cluster is already a ${kind} ${from}; disable it first, or use update-primary`);
    case 'demote':
    case 'disable-primary':
      return badRequest(`this cluster is not a ${kind} primary`);
    case 'bootstrapped':
      return new VaultError('internal', `a ${kind} bootstrap arrived while this cluster is ${from}, not bootstrapping`);
    case 'take-over-set':
      return badRequest(`this cluster is already a ${kind} ${from}, so it cannot take over its former primary's ${kind} replication set`);
    default:
      return badRequest(`this cluster is not a ${kind} secondary`);
  }
}

/** Is this event allowed from the state's mode? */
export function allowed(s: ModeState, e: ControlEventType): boolean {
  return TRANSITIONS[e].from.includes(s.mode);
}

/** Refuse early (before a token is redeemed, say) what transition() would refuse later. */
export function requireAllowed(kind: string, s: ModeState, e: ControlEventType): void {
  if (!allowed(s, e)) throw refusal(kind, s.mode, e);
}

/**
 * The next state of one mode after an event; throws the API's refusal when the
 * event is not allowed from the current mode. Pure: persisting is the caller's.
 */
export function transition(kind: string, s: ModeState, e: ControlEvent): ModeState {
  if (!allowed(s, e.type)) throw refusal(kind, s.mode, e.type);
  switch (e.type) {
    case 'enable-primary':
      return { ...emptyState(), mode: 'primary', clusterId: e.clusterId, epoch: FIRST_EPOCH, primaryClusterAddr: e.primaryClusterAddr };
    case 'enable-secondary':
      return {
        ...emptyState(),
        mode: 'bootstrapping',
        clusterId: e.clusterId,
        secondaryId: e.secondaryId,
        primaryApiAddr: e.primaryApiAddr,
        primaryClusterAddrInUse: e.primaryClusterAddr,
      };
    case 'bootstrapped':
      return { ...s, mode: 'secondary', lastError: '' };
    case 'promote':
      return {
        ...s,
        mode: 'primary',
        // Past every epoch this set has seen: a former primary compares and stands down.
        epoch: Math.max(FIRST_EPOCH, s.epoch) + 1,
        primaryClusterAddr: e.primaryClusterAddr,
        secondaries: [],
        primaryClusterAddrInUse: '',
        knownPrimaryClusterAddrs: [],
        primaryApiAddr: '',
        promotedAt: e.at,
        formerPrimaryApiAddr: s.primaryApiAddr,
        formerPrimaryClusterAddr: s.primaryClusterAddrInUse,
        stalePrimaryWarning: '',
        lastError: '',
      };
    case 'demote':
      return {
        ...s,
        mode: 'secondary',
        primaryClusterAddrInUse: '',
        knownPrimaryClusterAddrs: [],
        primaryApiAddr: '',
        secondaryId: s.secondaryId || 'demoted',
        secondaries: [],
        formerPrimaryApiAddr: '',
        formerPrimaryClusterAddr: '',
        stalePrimaryWarning: '',
        lastError: '',
      };
    case 'disable-primary':
    case 'disable-secondary':
      return emptyState();
    case 'update-primary':
      // Another primary, maybe another cluster: its nodes are learned at the first hello.
      return { ...s, secondaryId: e.secondaryId, primaryApiAddr: e.primaryApiAddr, primaryClusterAddrInUse: e.primaryClusterAddr, knownPrimaryClusterAddrs: [], lastError: '' };
    case 'detach':
      return { ...s, primaryClusterAddrInUse: '', knownPrimaryClusterAddrs: [], primaryApiAddr: '' };
    case 'epoch-seen':
      return { ...s, epoch: Math.max(s.epoch, e.epoch) };
    case 'take-over-set':
      return {
        ...emptyState(),
        mode: 'primary',
        clusterId: e.clusterId,
        // Past the set's epoch, like any promotion: its former primary, should it return, is stale.
        epoch: Math.max(FIRST_EPOCH, e.epoch) + 1,
        primaryClusterAddr: e.primaryClusterAddr,
        secondaries: e.secondaries,
        promotedAt: e.at,
        formerPrimaryApiAddr: e.formerPrimaryApiAddr,
        formerPrimaryClusterAddr: e.formerPrimaryClusterAddr,
      };
  }
}

