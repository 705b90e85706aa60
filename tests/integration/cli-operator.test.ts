import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDevServer, type DevServer } from '../support/cluster';
import { runCoffer, type CliRun } from '../support/cli';

// Operator flows through the real CLI: status exit codes, seal and unseal
// with a key piped on stdin, and generating a new root token with an OTP
// (seed 002's procedure, on the primary's own generate-root endpoints).
let server: DevServer;
let home: string;

function coffer(args: string[], stdin = ''): Promise<CliRun> {
  return runCoffer(args, { addr: server.addr, home, token: server.rootToken, stdin });
}

const row = (out: string, key: string) => new RegExp(`^${key}\\s{2,}(.*)$`, 'm').exec(out)?.[1];

beforeAll(async () => {
  server = await startDevServer();
  home = mkdtempSync(join(tmpdir(), 'coffer-cli-op-'));
}, 120_000);

afterAll(async () => {
  await server?.stop();
});

describe('operator generate-root with an OTP', () => {
  it('init, one key share, decode: the new token is a root token', async () => {
    const init = await coffer(['operator', 'generate-root', '-init']);
    expect(init.code).toBe(0);
    expect(init.stderr).toMatch(/^A One-Time-Password has been generated for you/);
    const otp = row(init.stdout, 'OTP')!;
    expect(row(init.stdout, 'OTP Length')).toBe(String(otp.length));
    expect(row(init.stdout, 'Progress')).toBe('0/1');

    const provide = await coffer(['operator', 'generate-root'], `${server.unsealKeys[0]}\n`);
    expect(provide.code).toBe(0);
    expect(provide.stdout).toMatch(/^Operation nonce: \S+\nUnseal Key \(will be hidden\): \nNonce\s+\S+\nStarted\s+true\nProgress\s+1\/1\nComplete\s+true\nEncoded Token\s+\S+\n$/);
    const encoded = row(provide.stdout, 'Encoded Token')!;

    const decoded = await coffer(['operator', 'generate-root', `-decode=${encoded}`, `-otp=${otp}`]);
    expect(decoded.code).toBe(0);
    const lookup = await coffer(['token', 'lookup', '-format=json', decoded.stdout]);
    expect(JSON.parse(lookup.stdout).data.policies).toEqual(['root']);
  });

  it('after -cancel, providing a key is refused', async () => {
    const cancel = await coffer(['operator', 'generate-root', '-cancel']);
    expect(cancel).toMatchObject({ code: 0, stdout: 'Success! Root token generation canceled (if it was started)\n' });
    const r = await coffer(['operator', 'generate-root'], 'whatever\n');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^No root generation is in progress/);
  });
});

describe('status, seal, unseal', () => {
  it('status exits 0 and prints the seal table while unsealed', async () => {
    const r = await coffer(['status']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Key\s+Value\n---\s+-----\nSeal Type\s+shamir\nInitialized\s+true\nSealed\s+false\n/);
    expect(row(r.stdout, 'HA Enabled')).toBeDefined();
  });

  it('after operator seal, status exits 2; a key on stdin unseals', async () => {
    expect(await coffer(['operator', 'seal'])).toMatchObject({ code: 0, stdout: 'Success! Vault is sealed.\n' });
    const sealed = await coffer(['status']);
    expect(sealed.code).toBe(2);
    expect(row(sealed.stdout, 'Sealed')).toBe('true');
    expect(row(sealed.stdout, 'Unseal Progress')).toBe('0/1');

    const unsealed = await coffer(['operator', 'unseal'], `${server.unsealKeys[0]}\n`);
    expect(unsealed.code).toBe(0);
    expect(unsealed.stdout).toMatch(/^Unseal Key \(will be hidden\): \n/);
    expect(row(unsealed.stdout, 'Sealed')).toBe('false');
    expect((await coffer(['status'])).code).toBe(0);
  });
});
