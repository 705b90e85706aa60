// `coffer secrets tune PATH` and `coffer auth tune PATH`: POST
// sys/mounts/PATH/tune or sys/auth/PATH/tune with only the settings given
// (Vault's secrets_tune.go / auth_tune.go and api.MountConfigInput).
import { COMMON_FLAGS, type FlagSpecs } from '../flags';
import { sanitizePath } from '../kv-paths';
import { parseOptionFlags } from '../mount-table';
import { clientFor, expectArgs, fail, parse, type Command } from '../command';

const TUNE_FLAGS = {
  ...COMMON_FLAGS,
  'default-lease-ttl': { kind: 'string', usage: 'Default lease TTL, e.g. "1h" ("system": the system default).' },
  'max-lease-ttl': { kind: 'string', usage: 'Maximum lease TTL, e.g. "24h" ("system": the system default).' },
  description: { kind: 'string', usage: 'Human-friendly description of the mount.' },
  'listing-visibility': { kind: 'string', usage: '"unauth" lists the mount in the UI\'s login form; "hidden" does not.' },
  'audit-non-hmac-request-keys': { kind: 'list', usage: 'Request key left un-HMACed in audit logs; repeatable.' },
  'audit-non-hmac-response-keys': { kind: 'list', usage: 'Response key left un-HMACed in audit logs; repeatable.' },
  'passthrough-request-headers': { kind: 'list', usage: 'Request header passed to the backend; repeatable.' },
  'allowed-response-headers': { kind: 'list', usage: 'Response header the backend may set; repeatable.' },
  options: { kind: 'list', usage: 'Key=value option passed to the backend; repeatable.' },
} as const satisfies FlagSpecs;

const SECRETS_FLAGS = {
  ...TUNE_FLAGS,
  version: { kind: 'int', usage: 'KV version to upgrade to; shorthand for -options=version=N.' },
} as const satisfies FlagSpecs;

const AUTH_FLAGS = {
  ...TUNE_FLAGS,
  'token-type': { kind: 'string', usage: 'Token type issued by this method: service, batch, default-service, default-batch.' },
} as const satisfies FlagSpecs;

type TuneFlagValues = {
  'default-lease-ttl'?: string;
  'max-lease-ttl'?: string;
  description?: string;
  'listing-visibility'?: string;
  'audit-non-hmac-request-keys': string[];
  'audit-non-hmac-response-keys': string[];
  'passthrough-request-headers': string[];
  'allowed-response-headers': string[];
  options: string[];
  version?: number;
  'token-type'?: string;
};

const LIST_FIELDS = [
  ['audit-non-hmac-request-keys', 'audit_non_hmac_request_keys'],
  ['audit-non-hmac-response-keys', 'audit_non_hmac_response_keys'],
  ['passthrough-request-headers', 'passthrough_request_headers'],
  ['allowed-response-headers', 'allowed_response_headers'],
] as const;

/** api.MountConfigInput for the flags given; nothing else is sent, so the rest stays as tuned. */
export function tuneBody(flags: TuneFlagValues, seen: Set<string>): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  if (seen.has('default-lease-ttl')) body.default_lease_ttl = flags['default-lease-ttl'];
  if (seen.has('max-lease-ttl')) body.max_lease_ttl = flags['max-lease-ttl'];
  if (seen.has('description')) body.description = flags.description ?? '';
  if (seen.has('listing-visibility')) body.listing_visibility = flags['listing-visibility'];
  for (const [flag, field] of LIST_FIELDS) {
    if (seen.has(flag)) body[field] = flags[flag].flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean);
  }
  if (seen.has('token-type')) body.token_type = flags['token-type'];
  const options = seen.has('options') ? parseOptionFlags(flags.options) : {};
  if (flags.version !== undefined && flags.version > 0) options.version = String(flags.version);
  if (Object.keys(options).length > 0) body.options = options;
  return body;
}

function tuneCommand(kind: { table: string; noun: string; flags: FlagSpecs; help: string; synopsis: string }): Command {
  return {
    synopsis: kind.synopsis,
    help: kind.help,
    flags: kind.flags,
    async run(argv, ctx) {
      const { flags, args, seen } = parse(argv, kind.flags, ctx);
      expectArgs(args, 1);
      const body = tuneBody(flags as unknown as TuneFlagValues, seen);
      const path = sanitizePath(args[0]) + '/';
      try {
        await clientFor(flags as Record<string, never>, ctx).write(`${kind.table}/${path.slice(0, -1)}/tune`, body, 'POST');
      } catch (err) {
        return fail(ctx.ui, `Error tuning ${kind.noun} ${path}`, err);
      }
      ctx.ui.out(`Success! Tuned the ${kind.noun} at: ${path}`);
      return 0;
    },
  };
}

export const secretsTuneCommand = tuneCommand({
  table: 'sys/mounts',
  noun: 'secrets engine',
  flags: SECRETS_FLAGS,
  synopsis: 'Tune a secrets engine configuration',
  help: `Usage: coffer secrets tune [options] PATH

  Tunes the configuration options for the secrets engine at the given PATH.
  Only the options given change.

      $ coffer secrets tune -default-lease-ttl=72h pki/
      $ coffer secrets tune -version=2 kv/`,
});

export const authTuneCommand = tuneCommand({
  table: 'sys/auth',
  noun: 'auth method',
  flags: AUTH_FLAGS,
  synopsis: 'Tunes an auth method configuration',
  help: `Usage: coffer auth tune [options] PATH

  Tunes the configuration options for the auth method at the given PATH.
  Only the options given change.

      $ coffer auth tune -default-lease-ttl=72h github/
      $ coffer auth tune -max-lease-ttl=768h token/`,
});
