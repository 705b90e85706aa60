import { describe, it, expect } from 'vitest';
import { VaultClient } from './client';
import type { HttpRequest, Transport } from './transport';
import { addPrefixToKvPath, findMount, kvApiPath, resolveKvTarget, sanitizePath } from './kv-paths';

/** A scripted server: path (without /v1/ and query) → [status, body]. */
function scripted(routes: Record<string, [number, unknown]>) {
  const seen: HttpRequest[] = [];
  const transport: Transport = async (req) => {
    seen.push(req);
    const path = new URL(req.url).pathname.replace(/^\/v1\//, '');
    const [status, body] = routes[path] ?? [404, { errors: [] }];
    return { status, text: JSON.stringify(body) };
  };
  const client = new VaultClient({ address: 'http://vault.test', tlsSkipVerify: false, token: 't' }, transport);
  return { client, seen };
}

describe('addPrefixToKvPath', () => {
  it('inserts data/ or metadata/ right after the mount', () => {
    expect(addPrefixToKvPath('secret/myapp', 'secret/', 'data')).toBe('secret/data/myapp');
    expect(addPrefixToKvPath('secret/a/b/c', 'secret/', 'metadata')).toBe('secret/metadata/a/b/c');
    expect(addPrefixToKvPath('team/kv/app', 'team/kv/', 'data')).toBe('team/kv/data/app');
  });

  it('handles the mount itself (listing the root)', () => {
    expect(addPrefixToKvPath('secret', 'secret/', 'metadata')).toBe('secret/metadata');
    expect(addPrefixToKvPath('secret/', 'secret/', 'metadata')).toBe('secret/metadata');
  });

  it('does not confuse a mount with a longer sibling name', () => {
    expect(addPrefixToKvPath('secrets/x', 'secret/', 'data')).toBe('secret/data/secrets/x');
  });

  it('sanitizes leading and trailing slashes', () => {
    expect(sanitizePath(' /secret/foo/ ')).toBe('secret/foo');
  });
});

describe('findMount', () => {
  const mounts = {
    'secret/': { type: 'kv', options: { version: '2' } },
    'secret/legacy/': { type: 'kv', options: null },
    'sys/': { type: 'system' },
    request_id: 'x',
  };
  it('picks the longest mount prefix and reads options.version', () => {
    expect(findMount(mounts, 'secret/legacy/app')).toEqual({ path: 'secret/legacy/', version: 1 });
    expect(findMount(mounts, 'secret/app')).toEqual({ path: 'secret/', version: 2 });
    expect(findMount(mounts, 'secret')).toEqual({ path: 'secret/', version: 2 });
    expect(findMount(mounts, 'other/app')).toBeUndefined();
  });
});

describe('resolveKvTarget + kvApiPath', () => {
  it('v2 via sys/internal/ui/mounts: rewrites to data/ and metadata/', async () => {
    const { client, seen } = scripted({
      'sys/internal/ui/mounts/secret/myapp': [200, { data: { path: 'secret/', type: 'kv', options: { version: '2' } } }],
    });
    const t = await resolveKvTarget(client, 'secret/myapp');
    expect(t.mount).toEqual({ path: 'secret/', version: 2 });
    expect(kvApiPath(t, 'data')).toBe('secret/data/myapp');
    expect(kvApiPath(t, 'metadata')).toBe('secret/metadata/myapp');
    expect(seen[0].headers['X-Vault-Token']).toBe('t');
  });

  it('v1 keeps the path as typed', async () => {
    const { client } = scripted({
      'sys/internal/ui/mounts/kv1/app': [200, { data: { path: 'kv1/', type: 'kv', options: null } }],
    });
    const t = await resolveKvTarget(client, 'kv1/app');
    expect(t.mount.version).toBe(1);
    expect(kvApiPath(t, 'data')).toBe('kv1/app');
  });

  it('falls back to sys/mounts when the preflight endpoint is missing', async () => {
    const { client, seen } = scripted({
      'sys/mounts': [200, { data: { 'secret/': { type: 'kv', options: { version: '2' } }, 'kv1/': { type: 'kv' } } }],
    });
    const t = await resolveKvTarget(client, 'secret/app');
    expect(kvApiPath(t, 'data')).toBe('secret/data/app');
    expect(seen.map((r) => new URL(r.url).pathname)).toEqual(['/v1/sys/internal/ui/mounts/secret/app', '/v1/sys/mounts']);
    const v1 = await resolveKvTarget(client, 'kv1/app');
    expect(kvApiPath(v1, 'data')).toBe('kv1/app');
  });

  it('-mount=M joins the key under the mount for both versions', async () => {
    const { client } = scripted({
      'sys/internal/ui/mounts/secret': [200, { data: { path: 'secret/', options: { version: '2' } } }],
      'sys/internal/ui/mounts/kv1': [200, { data: { path: 'kv1/', options: {} } }],
    });
    expect(kvApiPath(await resolveKvTarget(client, 'myapp', 'secret'), 'data')).toBe('secret/data/myapp');
    expect(kvApiPath(await resolveKvTarget(client, 'myapp', 'kv1'), 'data')).toBe('kv1/myapp');
  });

  it('surfaces a permission error from discovery', async () => {
    const { client } = scripted({ 'sys/internal/ui/mounts/secret/x': [403, { errors: ['permission denied'] }] });
    await expect(resolveKvTarget(client, 'secret/x')).rejects.toThrow(/Code: 403/);
  });
});
