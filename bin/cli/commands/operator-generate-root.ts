// `coffer operator generate-root`: build a new root token (or, with
// -dr-token, a DR operation token on a DR secondary) from a quorum of unseal
// key shares. The server returns the token XORed with a one-time password;
// -decode undoes that locally. Layout follows Vault's command row for row.
import { COMMON_FLAGS, type FlagSpecs } from '../flags';
import { PromptCanceled } from '../input';
import { decodeOtpToken, generateOtp, OtpDecodeError } from '../otp';
import { printRaw, toJson, type Format } from '../output';
import { columnize, wrapAtLength } from '../table';
import type { Ui } from '../ui';
import { UNAUTHENTICATED, type VaultClient } from '../client';
import { clientFor, EXIT_USAGE, expectArgs, fail, formatFor, parse, type Command, type Ctx } from '../command';

const FLAGS = {
  ...COMMON_FLAGS,
  init: { kind: 'bool', usage: 'Start a generation; only one may run at a time.' },
  cancel: { kind: 'bool', usage: 'Discard the generation in progress and its key shares.' },
  status: { kind: 'bool', usage: 'Print the progress of the current attempt.' },
  decode: { kind: 'string', usage: 'Encoded token to decode with -otp.' },
  'generate-otp': { kind: 'bool', usage: 'Print a fresh one-time password of the length the server wants.' },
  otp: { kind: 'string', usage: 'One-time password for -init or -decode.' },
  nonce: { kind: 'string', usage: 'Nonce of the attempt, required with a KEY argument.' },
  'dr-token': { kind: 'bool', usage: 'Generate a DR operation token (on a DR secondary).' },
  'pgp-key': { kind: 'string', usage: 'Not supported by Coffer; use -otp.' },
} as const satisfies FlagSpecs;

export interface GenerateRootStatus {
  nonce?: string;
  started?: boolean;
  progress?: number;
  required?: number;
  complete?: boolean;
  encoded_token?: string;
  encoded_root_token?: string;
  pgp_fingerprint?: string;
  otp?: string;
  otp_length?: number;
}

/** Endpoint pair for the root-token or DR-operation-token flavour. */
export function generateRootPaths(drToken: boolean): { attempt: string; update: string } {
  const base = drToken ? 'sys/replication/dr/secondary/generate-operation-token' : 'sys/generate-root';
  return { attempt: `${base}/attempt`, update: `${base}/update` };
}

export const OTP_NOTICE =
  'A One-Time-Password has been generated for you and is shown in the OTP field. ' +
  'You will need this value to decode the resulting root token, so keep it safe.';

/** The status rows; `withOtpLength` is off after a key is entered (the update reply carries none). */
export function generateRootRows(s: GenerateRootStatus, withOtpLength = true): string[][] {
  const rows: string[][] = [
    ['Nonce', s.nonce ?? ''],
    ['Started', String(s.started ?? false)],
    ['Progress', `${s.progress ?? 0}/${s.required ?? 0}`],
    ['Complete', String(s.complete ?? false)],
  ];
  if (s.pgp_fingerprint) rows.push(['PGP Fingerprint', s.pgp_fingerprint]);
  if (s.encoded_token) rows.push(['Encoded Token', s.encoded_token]);
  else if (s.encoded_root_token) rows.push(['Encoded Root Token', s.encoded_root_token]);
  if (s.otp) rows.push(['OTP', s.otp]);
  if (withOtpLength && s.otp_length) rows.push(['OTP Length', String(s.otp_length)]);
  return rows;
}

function printStatus(ui: Ui, s: GenerateRootStatus, format: Format, withOtpLength = true): number {
  if (format === 'json') {
    ui.out(toJson(s));
    return 0;
  }
  if (s.otp) ui.err(wrapAtLength(OTP_NOTICE));
  ui.out(columnize(generateRootRows(s, withOtpLength)));
  return 0;
}

async function getStatus(client: VaultClient, attempt: string): Promise<GenerateRootStatus> {
  return ((await client.request('GET', attempt, UNAUTHENTICATED)).body ?? {}) as GenerateRootStatus;
}

async function provide(
  ctx: Ctx,
  client: VaultClient,
  paths: { attempt: string; update: string },
  keyArg: string | undefined,
  nonceFlag: string | undefined,
  format: Format,
): Promise<number> {
  let status: GenerateRootStatus;
  try {
    status = await getStatus(client, paths.attempt);
  } catch (err) {
    return fail(ctx.ui, 'Error getting root generation status', err);
  }
  if (!status.started) {
    ctx.ui.err(
      wrapAtLength(
        'No root generation is in progress. Start a root generation by running ' +
          '"coffer operator generate-root -init".',
      ),
    );
    if (status.otp_length) {
      ctx.ui.err(
        wrapAtLength(
          'If starting root generation using the OTP method and generating your own OTP, ' +
            `the length of the OTP string needs to be ${status.otp_length} characters in length.`,
        ),
      );
    }
    return EXIT_USAGE;
  }

  let key: string;
  let nonce = nonceFlag;
  try {
    if (keyArg === '-') key = await ctx.input.readAll();
    else if (keyArg !== undefined) key = keyArg;
    else {
      nonce = status.nonce;
      ctx.ui.out(`Operation nonce: ${nonce ?? ''}`);
      key = await ctx.input.readSecret('Unseal Key (will be hidden): ', (t) => ctx.ui.raw(t));
    }
  } catch (err) {
    if (err instanceof PromptCanceled) {
      ctx.ui.err('user canceled');
      return EXIT_USAGE;
    }
    throw err;
  }
  if (!nonce) {
    ctx.ui.err('Missing nonce value: specify it via the -nonce flag');
    return EXIT_USAGE;
  }

  let updated: GenerateRootStatus;
  try {
    updated = ((await client.request('PUT', paths.update, { ...UNAUTHENTICATED, body: { key: key.trim(), nonce } })).body ??
      {}) as GenerateRootStatus;
  } catch (err) {
    return fail(ctx.ui, 'Error posting unseal key', err);
  }
  return printStatus(ctx.ui, updated, format, false);
}

export const operatorGenerateRootCommand: Command = {
  synopsis: 'Generates a new root token',
  help: `Usage: coffer operator generate-root [options] [KEY]

  Generates a new root token (or with -dr-token a DR operation token) from a
  quorum of unseal key shares.

      $ coffer operator generate-root -init
      $ coffer operator generate-root            (prompts for a key share)
      $ coffer operator generate-root -decode=ENCODED -otp=OTP`,
  flags: FLAGS,
  async run(argv, ctx) {
    const { flags, args } = parse(argv, FLAGS, ctx);
    expectArgs(args, 0, 1);
    const format = formatFor(flags, ctx);
    if (flags['pgp-key']) {
      ctx.ui.err('Error initializing: -pgp-key is not supported by Coffer; use -otp');
      return EXIT_USAGE;
    }

    if (flags.decode !== undefined) {
      if (flags.decode === '') {
        ctx.ui.err('Missing encoded value: use -decode=<string> to supply it');
        return EXIT_USAGE;
      }
      if (!flags.otp) {
        ctx.ui.err('Missing otp: use -otp to supply it');
        return EXIT_USAGE;
      }
      let token: string;
      try {
        token = decodeOtpToken(flags.decode, flags.otp);
      } catch (err) {
        if (!(err instanceof OtpDecodeError)) throw err;
        ctx.ui.err(err.message);
        return EXIT_USAGE;
      }
      if (format === 'json') {
        ctx.ui.out(toJson({ token }));
        return 0;
      }
      return printRaw(ctx.ui, token);
    }

    const client = clientFor(flags, ctx);
    const paths = generateRootPaths(flags['dr-token']);

    if (flags['generate-otp']) {
      let status: GenerateRootStatus;
      try {
        status = await getStatus(client, paths.attempt);
      } catch (err) {
        return fail(ctx.ui, 'Error getting root generation status', err);
      }
      const otp = generateOtp(status.otp_length ?? 0);
      if (format === 'json') {
        ctx.ui.out(toJson({ otp, otp_length: otp.length }));
        return 0;
      }
      return printRaw(ctx.ui, otp);
    }

    if (flags.cancel) {
      try {
        await client.request('DELETE', paths.attempt, UNAUTHENTICATED);
      } catch (err) {
        return fail(ctx.ui, 'Error canceling root token generation', err);
      }
      ctx.ui.out('Success! Root token generation canceled (if it was started)');
      return 0;
    }

    if (flags.init) {
      let status: GenerateRootStatus;
      try {
        const body = flags.otp ? { otp: flags.otp } : {};
        status = ((await client.request('PUT', paths.attempt, { ...UNAUTHENTICATED, body })).body ?? {}) as GenerateRootStatus;
      } catch (err) {
        return fail(ctx.ui, 'Error initializing root generation', err);
      }
      return printStatus(ctx.ui, status, format);
    }

    if (flags.status) {
      let status: GenerateRootStatus;
      try {
        status = await getStatus(client, paths.attempt);
      } catch (err) {
        return fail(ctx.ui, 'Error getting root generation status', err);
      }
      return printStatus(ctx.ui, status, format);
    }

    return provide(ctx, client, paths, args[0]?.trim(), flags.nonce, format);
  },
};

