// `coffer login`: authenticate with a token or an auth method, store the
// resulting token in ~/.coffer-token for later commands, and show it.
import { toSecret, type Secret, type SecretAuth } from '../client';
import { COMMON_FLAGS, type FlagSpecs, UsageError } from '../flags';
import { parseArgsData } from '../kv-args';
import { sanitizePath } from '../kv-paths';
import { outputSecret, printRaw, printRawField } from '../output';
import { wrapAtLength } from '../table';
import { envToken, storeToken } from '../token-store';
import { clientFor, dataSources, EXIT_API, expectArgs, fail, formatFor, parse, type Command, type Ctx } from '../command';

const LOGIN_FLAGS = {
  ...COMMON_FLAGS,
  method: { kind: 'string', usage: 'Auth method type (token, userpass, ...). Default: token.' },
  path: { kind: 'string', usage: 'Mount path of the auth method. Default: the method name.' },
  'no-store': { kind: 'bool', usage: 'Do not store the token in ~/.coffer-token.' },
  'no-print': { kind: 'bool', usage: 'Do not print the token (it is still stored).' },
  'token-only': { kind: 'bool', usage: 'Print only the token, implies -no-store.' },
} as const satisfies FlagSpecs;

/** Methods whose login path ends in the user name (auth/<path>/login/<username>). */
const USERNAME_IN_PATH = new Set(['userpass', 'ldap', 'okta', 'radius']);

const STORED_MESSAGE =
  'Success! You are now authenticated. The token information displayed below ' +
  'is already stored in the token helper. You do NOT need to run "coffer login" ' +
  'again. Future Coffer requests will automatically use this token.';

const NOT_STORED_MESSAGE =
  'Success! You are now authenticated. The token information displayed below ' +
  'was NOT stored in the token helper, so later commands will not use it ' +
  'unless you pass it in COFFER_TOKEN.';

async function tokenFromArgs(args: string[], ctx: Ctx): Promise<string> {
  expectArgs(args, 0, 1);
  if (args.length === 0) return (await ctx.input.readSecret('Token (will be hidden): ', (t) => ctx.ui.errRaw(t))).trim();
  if (args[0] === '-') return (await ctx.input.readAll()).trim();
  return args[0].startsWith('token=') ? args[0].slice('token='.length) : args[0];
}

async function loginWithToken(ctx: Ctx, flags: Parameters<typeof clientFor>[0], args: string[]): Promise<Secret> {
  const token = await tokenFromArgs(args, ctx);
  if (!token) throw new UsageError('A token must be passed to auth, please view the help for more information.');
  const res = await clientFor(flags, ctx).request('GET', 'auth/token/lookup-self', { token, wrap: false });
  const d = (res.body?.data ?? {}) as Record<string, unknown>;
  const tokenPolicies = (d.policies as string[] | undefined) ?? [];
  const identityPolicies = (d.identity_policies as string[] | undefined) ?? [];
  const auth: SecretAuth = {
    client_token: token,
    accessor: (d.accessor as string | undefined) ?? '',
    policies: [...new Set([...tokenPolicies, ...identityPolicies])].sort(),
    token_policies: tokenPolicies,
    identity_policies: identityPolicies,
    metadata: (d.meta as Record<string, unknown> | null | undefined) ?? null,
    lease_duration: Number(d.ttl ?? 0),
    renewable: d.renewable === true,
    orphan: d.orphan === true,
    entity_id: (d.entity_id as string | undefined) ?? '',
  };
  return { request_id: '', lease_id: '', lease_duration: 0, renewable: false, data: null, warnings: null, auth };
}

async function loginWithMethod(
  ctx: Ctx,
  flags: Parameters<typeof clientFor>[0],
  method: string,
  mount: string,
  args: string[],
): Promise<Secret | null> {
  const data = await parseArgsData(args, dataSources(ctx));
  let path = `auth/${mount}/login`;
  if (USERNAME_IN_PATH.has(method)) {
    const username = data.username;
    if (typeof username !== 'string' || username === '') throw new UsageError("'username' must be specified");
    delete data.username;
    if (data.password === undefined) {
      data.password = await ctx.input.readSecret('Password (will be hidden): ', (t) => ctx.ui.errRaw(t));
    }
    path += `/${encodeURIComponent(username)}`;
  }
  // Like Vault's CLI, log in without the current token: a stale one must not block a fresh login.
  const res = await clientFor(flags, ctx).request('POST', path, { body: data, token: null });
  return toSecret(res.body);
}

export const loginCommand: Command = {
  synopsis: 'Authenticate locally',
  help: `Usage: coffer login [options] [AUTH K=V...]

  Authenticates and stores the resulting token in ~/.coffer-token, which later
  commands use unless COFFER_TOKEN or VAULT_TOKEN is set.

      $ coffer login s.abcd1234
      $ coffer login -method=userpass username=tester password=changeme`,
  flags: LOGIN_FLAGS,
  async run(argv, ctx) {
    const { flags, args } = parse(argv, LOGIN_FLAGS, ctx);
    const format = formatFor(flags, ctx);
    const method = (flags.method || 'token').toLowerCase();
    const mount = sanitizePath(flags.path || method);

    let secret: Secret | null;
    try {
      secret = method === 'token' ? await loginWithToken(ctx, flags, args) : await loginWithMethod(ctx, flags, method, mount, args);
    } catch (err) {
      return fail(ctx.ui, 'Error authenticating', err);
    }
    if (!secret) {
      ctx.ui.err('Error authenticating: empty response from auth method');
      return EXIT_API;
    }
    if (secret.wrap_info && !secret.auth) return outputSecret(ctx.ui, secret, format);
    const token = secret.auth?.client_token;
    if (!token) {
      ctx.ui.err('Error authenticating: no token was returned');
      return EXIT_API;
    }

    const store = !flags['no-store'] && !flags['token-only'];
    if (store) {
      try {
        storeToken(ctx.env, token);
      } catch (err) {
        ctx.ui.err(`Error storing token: ${(err as Error).message}`);
        return EXIT_API;
      }
    }

    if (flags['token-only']) return printRaw(ctx.ui, token);
    if (flags['no-print']) return 0;
    if (flags.field) return printRawField(ctx.ui, secret, flags.field, format);

    const fromEnv = envToken(ctx.env);
    if (store && fromEnv) {
      ctx.ui.err(
        wrapAtLength(
          `WARNING! The ${fromEnv.name} environment variable is set! The value of this ` +
            `variable will take precedence; if this is unwanted please unset ${fromEnv.name} ` +
            'or update its value accordingly.',
        ) + '\n',
      );
    }
    if (format === 'table') {
      ctx.ui.out(wrapAtLength(store ? STORED_MESSAGE : NOT_STORED_MESSAGE));
      ctx.ui.out('');
    }
    return outputSecret(ctx.ui, secret, format);
  },
};
