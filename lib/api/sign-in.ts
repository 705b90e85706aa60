// The two sign-in methods of the console's sign-in card. Each returns the
// session to keep, or throws the ApiError Vault answered with.
import type { LoginResponse, TokenLookupResponse } from '@/lib/types/token';
import { ApiError } from './api-error';
import { vaultFetch } from './client';
import type { Session } from './session';

export const DEFAULT_USERPASS_MOUNT = 'userpass';

export function lookupSelf(token: string, signal?: AbortSignal): Promise<TokenLookupResponse> {
  return vaultFetch<TokenLookupResponse>('auth/token/lookup-self', { token, signal });
}

export async function signInWithToken(token: string): Promise<Session> {
  const t = token.trim();
  if (!t) throw new ApiError(400, ['a token is required']);
  const { data } = await lookupSelf(t);
  return { token: t, displayName: data.display_name || 'token', policies: data.policies ?? [], method: 'token' };
}

export async function signInWithUserpass(
  username: string,
  password: string,
  mount: string = DEFAULT_USERPASS_MOUNT,
): Promise<Session> {
  const user = username.trim();
  if (!user || !password) throw new ApiError(400, ['username and password are required']);
  const path = (mount.trim() || DEFAULT_USERPASS_MOUNT).replace(/^\/+|\/+$/g, '');
  const res = await vaultFetch<LoginResponse>(`auth/${path}/login/${encodeURIComponent(user)}`, {
    method: 'POST',
    body: { password },
  });
  if (!res?.auth?.client_token) throw new ApiError(500, ['the login response carried no token']);
  return {
    token: res.auth.client_token,
    displayName: res.auth.metadata?.username ?? user,
    policies: res.auth.policies ?? res.auth.token_policies ?? [],
    method: 'userpass',
  };
}

/**
 * Where to go after signing in: a `redirect_to` inside the console, else the
 * secrets list. Anything else (other origins, `//evil`, the sign-in page
 * itself) is ignored.
 */
export const SIGNED_IN_HOME = '/vault/secrets';

export function redirectTarget(search: string): string {
  const to = new URLSearchParams(search).get('redirect_to');
  if (!to || !to.startsWith('/vault/') || to.startsWith('//') || to.includes('\\')) return SIGNED_IN_HOME;
  if (to === '/vault/auth' || to.startsWith('/vault/auth?') || to.startsWith('/vault/auth/')) return SIGNED_IN_HOME;
  return to;
}

export function signInHref(redirectTo?: string): string {
  return redirectTo ? `/vault/auth?redirect_to=${encodeURIComponent(redirectTo)}` : '/vault/auth';
}
