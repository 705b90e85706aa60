import { parseDuration } from '../auth/duration';
import { badRequest } from '../errors';

// User lockout settings (Vault ≥ 1.13, vault/request_handling.go
// getUserLockoutConfiguration; docs concepts/user-lockout). A mount may tune
// each field; an unset (0) field falls back to the default.

export const DEFAULT_LOCKOUT_THRESHOLD = 5;
export const DEFAULT_LOCKOUT_DURATION_S = 15 * 60;
export const DEFAULT_LOCKOUT_COUNTER_RESET_S = 15 * 60;
/** Auth method types Vault applies lockout to (configutil.GetSupportedUserLockoutsAuthMethods). */
export const LOCKOUT_AUTH_TYPES = ['userpass', 'ldap', 'approle'];

/** As stored in a mount entry's config (Vault's MountConfig.UserLockoutConfig); durations in seconds, 0 = default. */
export interface UserLockoutConfig {
  lockout_threshold: number;
  lockout_duration: number;
  lockout_counter_reset: number;
  disable_lockout: boolean;
}

/**
 * The server config file's `user_lockout "<type>" { … }` stanzas, by type
 * ("all", "userpass", "ldap", "approle"); only the fields written are set.
 */
export type UserLockoutDefaults = Record<string, Partial<UserLockoutConfig>>;

export interface EffectiveLockout {
  threshold: number;
  durationMs: number;
  counterResetMs: number;
  disabled: boolean;
}

/**
 * Per field: the mount's tune, else the config file's stanza for the method
 * type, else its "all" stanza, else the default. Any of them may disable
 * lockout; none can re-enable what another disabled (vault isUserLockoutDisabled).
 */
export function effectiveLockout(mountType: string, tuned: UserLockoutConfig | undefined, fromConfig: UserLockoutDefaults = {}): EffectiveLockout {
  const layers = [tuned ?? {}, fromConfig[mountType] ?? {}, fromConfig.all ?? {}];
  const pick = (field: 'lockout_threshold' | 'lockout_duration' | 'lockout_counter_reset', fallback: number) =>
    layers.map((l) => l[field]).find((v) => v !== undefined && v > 0) ?? fallback;
  const typeDisable = fromConfig[mountType]?.disable_lockout ?? fromConfig.all?.disable_lockout ?? false;
  return {
    threshold: pick('lockout_threshold', DEFAULT_LOCKOUT_THRESHOLD),
    durationMs: pick('lockout_duration', DEFAULT_LOCKOUT_DURATION_S) * 1000,
    counterResetMs: pick('lockout_counter_reset', DEFAULT_LOCKOUT_COUNTER_RESET_S) * 1000,
    disabled: !LOCKOUT_AUTH_TYPES.includes(mountType) || Boolean(tuned?.disable_lockout) || typeDisable,
  };
}

/**
 * Apply a tune request's `user_lockout_config` map to the stored settings.
 * Field names as Vault's APIUserLockoutConfig takes them: lockout_threshold,
 * lockout_duration, lockout_counter_reset_duration (the docs' name
 * lockout_counter_reset is accepted too) and lockout_disable; "system" resets
 * a duration to the default. Unknown keys are ignored, as Vault's decoder does.
 */
export function tuneUserLockout(mountType: string, current: UserLockoutConfig | undefined, raw: unknown): UserLockoutConfig | undefined {
  if (raw === undefined || raw === null) return current;
  if (typeof raw !== 'object' || Array.isArray(raw)) throw badRequest('unable to convert given user lockout config information');
  const input = raw as Record<string, unknown>;
  if (Object.keys(input).length === 0) return current;
  if (!LOCKOUT_AUTH_TYPES.includes(mountType.toLowerCase())) throw badRequest(`tuning of user lockout configuration for auth type "${mountType}" not allowed`);
  const next: UserLockoutConfig = { lockout_threshold: 0, lockout_duration: 0, lockout_counter_reset: 0, disable_lockout: false, ...current };
  if (present(input.lockout_threshold)) next.lockout_threshold = threshold(input.lockout_threshold);
  if (present(input.lockout_duration)) next.lockout_duration = duration(input.lockout_duration, 'lockout_duration');
  const reset = input.lockout_counter_reset_duration ?? input.lockout_counter_reset;
  if (present(reset)) next.lockout_counter_reset = duration(reset, 'lockout_counter_reset_duration');
  const disable = input.lockout_disable ?? input.disable_lockout;
  if (present(disable)) next.disable_lockout = flag(disable);
  return next;
}

/** The fields `GET sys/auth/:path/tune` adds once lockout was tuned (Vault's handleTuneReadCommon). */
export function lockoutTuneView(cfg: UserLockoutConfig | undefined): Record<string, unknown> {
  if (!cfg) return {};
  return {
    user_lockout_counter_reset_duration: cfg.lockout_counter_reset,
    user_lockout_threshold: cfg.lockout_threshold,
    user_lockout_duration: cfg.lockout_duration,
    user_lockout_disable: cfg.disable_lockout,
  };
}

const present = (v: unknown) => v !== undefined && v !== null && v !== '';

function threshold(v: unknown): number {
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\d+$/.test(v.trim()) ? Number(v) : NaN;
  if (!Number.isSafeInteger(n) || n < 0) throw badRequest(`unable to parse user lockout threshold: ${JSON.stringify(v)} is not a non-negative integer`);
  return n;
}

function duration(v: unknown, field: string): number {
  return v === 'system' ? 0 : parseDuration(v, field);
}

function flag(v: unknown): boolean {
  if (typeof v === 'boolean') return v;
  if (v === 'true' || v === '1' || v === 1) return true;
  if (v === 'false' || v === '0' || v === 0) return false;
  throw badRequest(`invalid value for "lockout_disable": expected a boolean, got ${JSON.stringify(v)}`);
}
