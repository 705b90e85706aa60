import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from './api-error';
import { apiUrl, vaultFetch } from './client';

function answer(status: number, body: string, statusText = '') {
  const calls: { url: string; init: RequestInit }[] = [];
  vi.stubGlobal('fetch', async (url: string, init: RequestInit) => {
    calls.push({ url, init });
    return new Response(body || null, { status, statusText });
  });
  return calls;
}

afterEach(() => vi.unstubAllGlobals());

describe('apiUrl', () => {
  it('puts every path under /v1 exactly once', () => {
    expect(apiUrl('sys/mounts')).toBe('/v1/sys/mounts');
    expect(apiUrl('/sys/mounts')).toBe('/v1/sys/mounts');
    expect(apiUrl('/v1/sys/mounts')).toBe('/v1/sys/mounts');
  });
});

describe('vaultFetch', () => {
  it('sends the token and a JSON body, and returns the parsed answer', async () => {
    const calls = answer(200, '{"auth":{"client_token":"s.abc"}}');
    const out = await vaultFetch<{ auth: { client_token: string } }>('auth/userpass/login/tester', {
      body: { password: 'pw' },
      token: 'root',
    });
    expect(out.auth.client_token).toBe('s.abc');
    expect(calls[0].url).toBe('/v1/auth/userpass/login/tester');
    expect(calls[0].init.method).toBe('POST');
    expect(calls[0].init.body).toBe('{"password":"pw"}');
    const headers = calls[0].init.headers as Record<string, string>;
    expect(headers['X-Vault-Token']).toBe('root');
    expect(headers['Content-Type']).toBe('application/json');
  });

  it("asks another cluster at its own address, without this origin's credentials", async () => {
    const calls = answer(200, '{}');
    await vaultFetch('sys/health', { baseUrl: 'http://127.0.0.1:8300/' });
    expect(calls[0].url).toBe('http://127.0.0.1:8300/v1/sys/health');
    expect(calls[0].init.credentials).toBe('omit');
  });

  it('sends no token header when signed out', async () => {
    const calls = answer(200, '{}');
    await vaultFetch('sys/health');
    expect(calls[0].init.method).toBe('GET');
    expect((calls[0].init.headers as Record<string, string>)['X-Vault-Token']).toBeUndefined();
  });

  it("throws an ApiError carrying the status and Vault's errors array", async () => {
    answer(403, '{"errors":["permission denied"]}', 'Forbidden');
    const err = await vaultFetch('auth/token/lookup-self', { token: 'nope' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).status).toBe(403);
    expect((err as ApiError).errors).toEqual(['permission denied']);
    expect((err as ApiError).message).toBe('permission denied');
    expect((err as ApiError).isPermissionDenied).toBe(true);
  });

  it('falls back to the status line when the body is not Vault JSON', async () => {
    answer(502, '<html>bad gateway</html>', 'Bad Gateway');
    await expect(vaultFetch('sys/mounts')).rejects.toMatchObject({ status: 502, errors: [], message: '502 Bad Gateway' });
  });

  it('reports an unreachable server as status 0', async () => {
    vi.stubGlobal('fetch', async () => {
      throw new TypeError('fetch failed');
    });
    await expect(vaultFetch('sys/health')).rejects.toMatchObject({ status: 0, message: 'Could not reach the Coffer server' });
  });

  it('returns undefined for an empty 204', async () => {
    answer(204, '');
    await expect(vaultFetch('sys/policies/acl/x', { method: 'DELETE' })).resolves.toBeUndefined();
  });
});

describe('ApiError message', () => {
  it("unwraps Vault's multierror format into the plain reasons", () => {
    expect(new ApiError(403, ['1 error occurred:\n\t* permission denied\n\n']).message).toBe('permission denied');
    expect(new ApiError(400, ['2 errors occurred:\n\t* missing password\n\t* bad name\n\n']).message).toBe('missing password; bad name');
    expect(new ApiError(400, ['plain reason']).message).toBe('plain reason');
  });
});
