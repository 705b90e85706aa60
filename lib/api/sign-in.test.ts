import { afterEach, describe, expect, it, vi } from 'vitest';
import { parseSnapshot } from './session';
import { redirectTarget, signInHref, signInWithToken, signInWithUserpass } from './sign-in';

afterEach(() => vi.unstubAllGlobals());

function answer(status: number, body: unknown) {
  const urls: string[] = [];
  vi.stubGlobal('fetch', async (url: string) => {
    urls.push(url);
    return new Response(JSON.stringify(body), { status });
  });
  return urls;
}

describe('redirectTarget', () => {
  it('goes back to a console page after signing in', () => {
    expect(redirectTarget('?redirect_to=%2Fvault%2Fpolicies')).toBe('/vault/policies');
    expect(redirectTarget(new URL(`http://x${signInHref('/vault/access')}`).search)).toBe('/vault/access');
  });

  it('never leaves the console or loops back to sign-in', () => {
    for (const bad of ['https://evil.example/', '//evil.example/vault/', '/vault\\evil', '/other', '/vault/auth', '/vault/auth?x=1']) {
      expect(redirectTarget(`?redirect_to=${encodeURIComponent(bad)}`)).toBe('/vault/secrets');
    }
    expect(redirectTarget('')).toBe('/vault/secrets');
  });
});

describe('signInWithToken', () => {
  it('keeps the display name and policies lookup-self reports', async () => {
    const urls = answer(200, { data: { display_name: 'root', policies: ['root'] } });
    await expect(signInWithToken('  s.root  ')).resolves.toEqual({ token: 's.root', displayName: 'root', policies: ['root'], method: 'token' });
    expect(urls).toEqual(['/v1/auth/token/lookup-self']);
  });

  it('passes on permission denied', async () => {
    answer(403, { errors: ['permission denied'] });
    await expect(signInWithToken('wrong')).rejects.toMatchObject({ status: 403, message: 'permission denied' });
  });

  it('refuses an empty token without calling the server', async () => {
    const urls = answer(200, {});
    await expect(signInWithToken('   ')).rejects.toMatchObject({ status: 400 });
    expect(urls).toEqual([]);
  });
});

describe('signInWithUserpass', () => {
  it('logs in at the mount and uses auth.client_token', async () => {
    const urls = answer(200, { auth: { client_token: 's.user', policies: ['default', 'superuser'], metadata: { username: 'tester' } } });
    await expect(signInWithUserpass('tester', 'changeme', '/people/')).resolves.toEqual({
      token: 's.user',
      displayName: 'tester',
      policies: ['default', 'superuser'],
      method: 'userpass',
    });
    expect(urls).toEqual(['/v1/auth/people/login/tester']);
  });

  it('shows Vault\'s message for a bad password', async () => {
    answer(400, { errors: ['invalid username or password'] });
    await expect(signInWithUserpass('tester', 'nope')).rejects.toMatchObject({ message: 'invalid username or password' });
  });
});

describe('parseSnapshot', () => {
  it('treats coffer.token alone as signed in', () => {
    expect(parseSnapshot('s.abc\u0000\u0000\u0000')).toEqual({
      status: 'signed-in',
      session: { token: 's.abc', displayName: '', policies: [], method: 'token' },
    });
  });
  it('is signed out without a token and unknown on the server', () => {
    expect(parseSnapshot('')).toEqual({ status: 'signed-out' });
    expect(parseSnapshot('server')).toEqual({ status: 'unknown' });
  });
});
