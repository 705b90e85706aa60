// Who is signed in to this browser tab. Like Vault's UI, the token lives in
// sessionStorage: it survives reloads, not closing the tab. `coffer.token`
// alone is enough to be signed in (tests may set just that); the display
// name and policies are conveniences filled in at sign-in.
import { useMemo, useSyncExternalStore } from 'react';

export const TOKEN_KEY = 'coffer.token';
export const DISPLAY_NAME_KEY = 'coffer.display-name';
export const POLICIES_KEY = 'coffer.policies';
export const METHOD_KEY = 'coffer.method';

export type AuthMethod = 'token' | 'userpass';

export interface Session {
  token: string;
  displayName: string;
  policies: string[];
  method: AuthMethod;
}

/** `unknown` while rendering on the server, where sessionStorage does not exist. */
export type SessionState =
  | { status: 'unknown' }
  | { status: 'signed-out' }
  | { status: 'signed-in'; session: Session };

const listeners = new Set<() => void>();
const SEP = '\u0000';

function notify() {
  for (const l of listeners) l();
}

function storage(): Storage | null {
  try {
    return typeof window === 'undefined' ? null : window.sessionStorage;
  } catch {
    return null; // storage disabled by the browser
  }
}

export function writeSession(s: Session): void {
  const st = storage();
  if (!st) return;
  st.setItem(TOKEN_KEY, s.token);
  st.setItem(DISPLAY_NAME_KEY, s.displayName);
  st.setItem(POLICIES_KEY, JSON.stringify(s.policies));
  st.setItem(METHOD_KEY, s.method);
  notify();
}

export function clearSession(): void {
  const st = storage();
  if (!st) return;
  for (const k of [TOKEN_KEY, DISPLAY_NAME_KEY, POLICIES_KEY, METHOD_KEY]) st.removeItem(k);
  notify();
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  const onStorage = (e: StorageEvent) => {
    if (e.storageArea === storage()) listener();
  };
  window.addEventListener('storage', onStorage);
  return () => {
    listeners.delete(listener);
    window.removeEventListener('storage', onStorage);
  };
}

// The snapshot is one primitive string so useSyncExternalStore can compare it.
function snapshot(): string {
  const st = storage();
  if (!st) return '';
  return [TOKEN_KEY, DISPLAY_NAME_KEY, POLICIES_KEY, METHOD_KEY].map((k) => st.getItem(k) ?? '').join(SEP);
}

const SERVER_SNAPSHOT = 'server';

export function parseSnapshot(raw: string): SessionState {
  if (raw === SERVER_SNAPSHOT) return { status: 'unknown' };
  const [token = '', displayName = '', policiesJson = '', method = ''] = raw.split(SEP);
  if (!token) return { status: 'signed-out' };
  let policies: string[] = [];
  try {
    const parsed: unknown = JSON.parse(policiesJson);
    if (Array.isArray(parsed)) policies = parsed.map(String);
  } catch {
    // missing or hand-edited: the frame falls back to lookup-self
  }
  return {
    status: 'signed-in',
    session: { token, displayName, policies, method: method === 'userpass' ? 'userpass' : 'token' },
  };
}

export function useSession(): SessionState {
  const raw = useSyncExternalStore(subscribe, snapshot, () => SERVER_SNAPSHOT);
  return useMemo(() => parseSnapshot(raw), [raw]);
}
