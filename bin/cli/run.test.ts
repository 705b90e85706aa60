// Drives whole commands in-process against a small scripted HTTP server, to
// pin down layouts that must match the seed transcripts byte for byte.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './run';
import { stringInput } from './input';
import { BufferUi } from './ui';

const NONCE = '0ccf03cd-33b3-96db-577c-d5492c4cf909';
const OTP = 'Frq1TtFmZp1iSD4VwNlRH8ccGm46';
const ENCODED = 'LgQCHzFBByMRNUYeFgcBHT0KJxN+WwEnIyF1dA';
const DR_BASE = '/v1/sys/replication/dr/secondary/generate-operation-token';
const PROMOTE_WARNING =
  'This cluster is being promoted to a replication primary. Vault will be unavailable for a brief period and will resume service shortly.';

interface Seen {
  method: string;
  url: string;
  token?: string;
  body: unknown;
}

let server: Server;
let addr: string;
const seen: Seen[] = [];
let progress = 0;

async function bodyOf(req: IncomingMessage): Promise<unknown> {
  let text = '';
  for await (const c of req) text += c;
  return text ? JSON.parse(text) : null;
}

beforeAll(async () => {
  server = createServer(async (req, res) => {
    const body = await bodyOf(req);
    seen.push({ method: req.method!, url: req.url!, token: req.headers['x-vault-token'] as string, body });
    const send = (status: number, payload?: unknown) => {
      res.writeHead(status, { 'Content-Type': 'application/json' });
      res.end(payload === undefined ? '' : JSON.stringify(payload));
    };
    const status = (extra: object = {}) => ({
      nonce: NONCE,
      started: true,
      progress,
      required: 3,
      complete: progress === 3,
      encoded_token: '',
      encoded_root_token: '',
      pgp_fingerprint: '',
      otp: '',
      otp_length: 28,
      ...extra,
    });
    if (req.url === `${DR_BASE}/attempt` && req.method === 'PUT') return send(200, status({ otp: OTP }));
    if (req.url === `${DR_BASE}/attempt` && req.method === 'GET') return send(200, status());
    if (req.url === `${DR_BASE}/update` && req.method === 'PUT') {
      progress += 1;
      const { otp_length: _drop, ...rest } = status(progress === 3 ? { encoded_token: ENCODED } : {});
      return send(200, rest);
    }
    if (req.url === '/v1/sys/replication/dr/secondary/promote') {
      return send(200, { request_id: 'x', data: null, warnings: [PROMOTE_WARNING] });
    }
    if (req.url === '/v1/secret/forbidden') return send(403, { errors: ['permission denied'] });
    if (req.url === '/v1/auth/corp/login/tester') {
      return send(200, {
        auth: {
          client_token: 'hvs.tester',
          accessor: 'acc',
          policies: ['default', 'superuser'],
          token_policies: ['default', 'superuser'],
          identity_policies: null,
          metadata: { username: 'tester' },
          lease_duration: 2764800,
          renewable: true,
        },
      });
    }
    if (req.url === '/v1/auth/token/create' || req.url?.startsWith('/v1/sys/mounts/')) return send(204);
    if (req.url === '/v1/sys/replication/performance/primary/enable') return send(204);
    send(404, { errors: [] });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  addr = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((r) => server.close(() => r())));

async function coffer(args: string[], stdin = '', extraEnv: Record<string, string | undefined> = {}) {
  const ui = new BufferUi(false);
  const env = { COFFER_ADDR: addr, COFFER_TOKEN: 'root', HOME: mkdtempSync(join(tmpdir(), 'coffer-run-')), ...extraEnv };
  const code = await runCli(args, { ui, input: stringInput(stdin), env });
  return { code, stdout: ui.stdout, stderr: ui.stderr };
}

describe('seed 002: DR operation token with generate-root -dr-token', () => {
  it('-init prints the OTP sentence and the status table', async () => {
    const r = await coffer(['operator', 'generate-root', '-dr-token', '-init']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe(
      'A One-Time-Password has been generated for you and is shown in the OTP field.\n' +
        'You will need this value to decode the resulting root token, so keep it safe.\n',
    );
    expect(r.stdout).toBe(
      [
        `Nonce         ${NONCE}`,
        'Started       true',
        'Progress      0/3',
        'Complete      false',
        `OTP           ${OTP}`,
        'OTP Length    28',
        '',
      ].join('\n'),
    );
    expect(seen.at(-1)).toMatchObject({ method: 'PUT', url: `${DR_BASE}/attempt` });
  });

  it('each key holder is shown the nonce, prompted, and sees progress', async () => {
    const first = await coffer(['operator', 'generate-root', '-dr-token'], 'key-one\n');
    expect(first.code).toBe(0);
    expect(first.stdout).toBe(
      [
        `Operation nonce: ${NONCE}`,
        'Unseal Key (will be hidden): ',
        `Nonce       ${NONCE}`,
        'Started     true',
        'Progress    1/3',
        'Complete    false',
        '',
      ].join('\n'),
    );
    expect(seen.at(-1)).toMatchObject({ url: `${DR_BASE}/update`, body: { key: 'key-one', nonce: NONCE } });

    await coffer(['operator', 'generate-root', '-dr-token'], 'key-two\n');
    const last = await coffer(['operator', 'generate-root', '-dr-token'], 'key-three\n');
    expect(last.stdout).toBe(
      [
        `Operation nonce: ${NONCE}`,
        'Unseal Key (will be hidden): ',
        `Nonce            ${NONCE}`,
        'Started          true',
        'Progress         3/3',
        'Complete         true',
        `Encoded Token    ${ENCODED}`,
        '',
      ].join('\n'),
    );
  });

  it('-decode with -otp prints the token alone', async () => {
    const r = await coffer(['operator', 'generate-root', '-dr-token', `-decode=${ENCODED}`, `-otp=${OTP}`]);
    expect(r).toEqual({ code: 0, stdout: 'hvs.e5ANKEwwEC5KJDKA6cbDdLAB', stderr: '' });
  });

  it('promote prints only the warning block', async () => {
    const r = await coffer(['write', 'sys/replication/dr/secondary/promote', 'dr_operation_token=hvs.e5ANKEwwEC5KJDKA6cbDdLAB']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      'WARNING! The following warnings were returned from Vault:\n\n' +
        '  * This cluster is being promoted to a replication primary. Vault will be\n' +
        '  unavailable for a brief period and will resume service shortly.\n\n',
    );
    expect(seen.at(-1)!.body).toEqual({ dr_operation_token: 'hvs.e5ANKEwwEC5KJDKA6cbDdLAB' });
  });
});

describe('exit codes and error layout', () => {
  it('write -f with an empty reply prints Success and sends {}', async () => {
    const r = await coffer(['write', '-f', 'sys/replication/performance/primary/enable']);
    expect(r).toEqual({ code: 0, stdout: 'Success! Data written to: sys/replication/performance/primary/enable\n', stderr: '' });
    expect(seen.at(-1)!.body).toEqual({});
  });

  it('write without data is a usage error (exit 1)', async () => {
    const r = await coffer(['write', 'sys/replication/performance/primary/enable']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('Must supply data or use -force\n');
  });

  it('API errors print Vault’s block and exit 2', async () => {
    const r = await coffer(['read', 'secret/forbidden']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      `Error reading secret/forbidden: Error making API request.\n\nURL: GET ${addr}/v1/secret/forbidden\nCode: 403. Errors:\n\n* permission denied\n`,
    );
  });

  it('list of a missing path says so and exits 2', async () => {
    const r = await coffer(['list', 'secret/nothing']);
    expect(r).toEqual({ code: 2, stdout: '', stderr: 'No value found at secret/nothing/\n' });
  });

  it('bad flags exit 1 with a usage line; -help exits 0; unknown commands 127', async () => {
    const bad = await coffer(['read', '-bogus', 'x']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^flag provided but not defined: -bogus\n\nUsage: coffer read /);
    const tooMany = await coffer(['kv', 'get', 'a', 'b']);
    expect(tooMany.code).toBe(1);
    expect(tooMany.stderr).toMatch(/^Too many arguments \(expected 1, got 2\)/);
    const help = await coffer(['help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: coffer <command> \[args\]/);
    expect((await coffer(['read', '-help'])).code).toBe(0);
    expect((await coffer(['frobnicate'])).code).toBe(127);
  });

  it('decode without an OTP is a usage error', async () => {
    const r = await coffer(['operator', 'generate-root', `-decode=${ENCODED}`]);
    expect(r).toMatchObject({ code: 1, stderr: 'Missing otp: use -otp to supply it\n' });
  });
});

describe('request bodies built from flags', () => {
  it('login -method=userpass -path=corp prompts for a missing password and sends no token', async () => {
    const home = mkdtempSync(join(tmpdir(), 'coffer-run-'));
    writeFileSync(join(home, '.coffer-token'), 'hvs.stale');
    const r = await coffer(['login', '-method=userpass', '-path=corp', 'username=tester'], 'pw\n', {
      COFFER_TOKEN: undefined,
      HOME: home,
    });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('Password (will be hidden): \n');
    expect(seen.at(-1)).toMatchObject({ method: 'POST', url: '/v1/auth/corp/login/tester', body: { password: 'pw' } });
    expect(seen.at(-1)!.token).toBeUndefined();
    expect(readFileSync(join(home, '.coffer-token'), 'utf8')).toBe('hvs.tester');
    expect(r.stdout).toMatch(/^token_policies\s+\["default" "superuser"\]$/m);
  });

  it('token create: repeated -policy, -use-limit, -renewable=false, -orphan', async () => {
    await coffer(['token', 'create', '-policy=a', '-policy=b,c', '-use-limit=3', '-renewable=false', '-ttl=1h']);
    expect(seen.at(-1)).toMatchObject({
      url: '/v1/auth/token/create',
      body: { policies: ['a', 'b', 'c'], num_uses: 3, renewable: false, ttl: '1h' },
    });
    await coffer(['token', 'create', '-orphan']);
    expect(seen.at(-1)).toMatchObject({ url: '/v1/auth/token/create-orphan', body: { no_parent: true } });
    expect('renewable' in (seen.at(-1)!.body as object)).toBe(false);
  });

  it('secrets enable kv-v2 and -version=2 both ask for KV version 2', async () => {
    const a = await coffer(['secrets', 'enable', 'kv-v2']);
    expect(a.stdout).toBe('Success! Enabled the kv-v2 secrets engine at: kv-v2/\n');
    expect(seen.at(-1)).toMatchObject({ url: '/v1/sys/mounts/kv-v2', body: { type: 'kv', options: { version: '2' } } });
    await coffer(['secrets', 'enable', '-path=apps', '-local', '-version=2', '-description=team apps', 'kv']);
    expect(seen.at(-1)).toMatchObject({
      url: '/v1/sys/mounts/apps',
      body: { type: 'kv', local: true, description: 'team apps', options: { version: '2' } },
    });
  });
});
