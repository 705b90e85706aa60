import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConsoleNotBuiltError, createUiHandler, withRootRedirect } from './ui';

let server: Server | undefined;
afterEach(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

async function serve(handler: Parameters<typeof createServer>[1]): Promise<number> {
  server = createServer(handler);
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

function get(port: number, path: string, method = 'GET') {
  return new Promise<{ status: number; location?: string; body: string }>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, location: res.headers.location, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('withRootRedirect', () => {
  it('sends / to /ui/ like Vault, and everything else to Next', async () => {
    const seen: string[] = [];
    const port = await serve(
      withRootRedirect((req, res) => {
        seen.push(req.url ?? '');
        res.end('next');
      }),
    );
    expect(await get(port, '/')).toMatchObject({ status: 307, location: '/ui/' });
    expect(await get(port, '/?foo=1')).toMatchObject({ status: 307, location: '/ui/' });
    expect(await get(port, '/ui/vault/auth')).toMatchObject({ status: 200, body: 'next' });
    expect(seen).toEqual(['/ui/vault/auth']);
  });

  it('answers 500 instead of hanging when Next throws', async () => {
    const port = await serve(
      withRootRedirect(async () => {
        throw new Error('boom');
      }),
    );
    const origError = console.error;
    console.error = () => {};
    try {
      expect(await get(port, '/ui/')).toMatchObject({ status: 500, body: 'Internal Server Error' });
    } finally {
      console.error = origError;
    }
  });
});

describe('createUiHandler', () => {
  it('refuses production mode without a build, naming the fix', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'coffer-ui-'));
    try {
      const err = await createUiHandler({ dev: false, dir }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ConsoleNotBuiltError);
      expect((err as Error).message).toContain('npm run build');
      expect((err as Error).message).toContain(join(dir, '.next', 'BUILD_ID'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
