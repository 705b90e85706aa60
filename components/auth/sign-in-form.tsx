'use client';
// Vault's sign-in card: a Method select (Token, Username), the fields of that
// method, and Sign in. Vault's error is shown in place; the session is kept in
// sessionStorage and the browser moves on once it is written.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useRouter } from 'next/navigation';
import { useEffect, useId, useState, type FormEvent } from 'react';
import { errorMessage } from '@/lib/api/api-error';
import { useSession, writeSession, type AuthMethod, type Session } from '@/lib/api/session';
import { DEFAULT_USERPASS_MOUNT, redirectTarget, signInWithToken, signInWithUserpass } from '@/lib/api/sign-in';

const METHODS: { value: AuthMethod; label: string }[] = [
  { value: 'token', label: 'Token' },
  { value: 'userpass', label: 'Username' },
];

type Credentials =
  | { method: 'token'; token: string }
  | { method: 'userpass'; username: string; password: string; mount: string };

function signIn(c: Credentials): Promise<Session> {
  return c.method === 'token' ? signInWithToken(c.token) : signInWithUserpass(c.username, c.password, c.mount);
}

const INPUT_CLASS =
  'mt-1 block w-full rounded-md border border-gray-300 bg-white px-3 py-2 text-sm text-gray-900 shadow-sm outline-none focus:border-brand focus:ring-2 focus:ring-brand/30';
const LABEL_CLASS = 'block text-sm font-semibold text-gray-800';

export function SignInForm() {
  const id = useId();
  const router = useRouter();
  const queryClient = useQueryClient();
  const state = useSession();
  const [method, setMethod] = useState<AuthMethod>('token');
  const [token, setToken] = useState('');
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [mount, setMount] = useState(DEFAULT_USERPASS_MOUNT);

  const login = useMutation({
    mutationFn: signIn,
    onSuccess: (session) => {
      queryClient.clear();
      writeSession(session);
    },
  });

  // Signed in (just now, or already when the page opened): go on.
  useEffect(() => {
    if (state.status === 'signed-in') router.replace(redirectTarget(window.location.search));
  }, [state.status, router]);

  function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    if (login.isPending) return;
    login.mutate(method === 'token' ? { method, token } : { method, username, password, mount });
  }

  const busy = login.isPending || login.isSuccess;
  const errorId = `${id}-error`;

  return (
    <form onSubmit={onSubmit} noValidate aria-describedby={login.isError ? errorId : undefined} className="space-y-5">
      <div>
        <label htmlFor={`${id}-method`} className={LABEL_CLASS}>
          Method
        </label>
        <select
          id={`${id}-method`}
          value={method}
          onChange={(e) => {
            setMethod(e.target.value as AuthMethod);
            login.reset();
          }}
          className={INPUT_CLASS}
        >
          {METHODS.map((m) => (
            <option key={m.value} value={m.value}>
              {m.label}
            </option>
          ))}
        </select>
      </div>

      {method === 'token' ? (
        <div>
          <label htmlFor={`${id}-token`} className={LABEL_CLASS}>
            Token
          </label>
          <input
            id={`${id}-token`}
            type="password"
            autoComplete="off"
            spellCheck={false}
            value={token}
            onChange={(e) => setToken(e.target.value)}
            className={`${INPUT_CLASS} font-mono`}
          />
        </div>
      ) : (
        <>
          <div>
            <label htmlFor={`${id}-username`} className={LABEL_CLASS}>
              Username
            </label>
            <input
              id={`${id}-username`}
              type="text"
              autoComplete="username"
              autoCapitalize="none"
              spellCheck={false}
              value={username}
              onChange={(e) => setUsername(e.target.value)}
              className={INPUT_CLASS}
            />
          </div>
          <div>
            <label htmlFor={`${id}-password`} className={LABEL_CLASS}>
              Password
            </label>
            <input
              id={`${id}-password`}
              type="password"
              autoComplete="current-password"
              value={password}
              onChange={(e) => setPassword(e.target.value)}
              className={INPUT_CLASS}
            />
          </div>
          <details className="text-sm">
            <summary className="cursor-pointer font-medium text-brand hover:text-brand-dark">More options</summary>
            <div className="mt-3">
              <label htmlFor={`${id}-mount`} className={LABEL_CLASS}>
                Mount path
              </label>
              <input
                id={`${id}-mount`}
                type="text"
                spellCheck={false}
                value={mount}
                onChange={(e) => setMount(e.target.value)}
                className={`${INPUT_CLASS} font-mono`}
              />
              <p className="mt-1 text-xs text-gray-500">If this method was enabled at a non-default path, enter it here.</p>
            </div>
          </details>
        </>
      )}

      {login.isError ? (
        <div id={errorId} role="alert" className="rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800">
          <span className="font-semibold">Authentication failed:</span> {errorMessage(login.error)}
        </div>
      ) : null}

      <button
        type="submit"
        aria-disabled={busy}
        aria-busy={busy}
        className="flex w-full items-center justify-center gap-2 rounded-md bg-brand px-4 py-2.5 text-sm font-semibold text-white shadow-sm outline-none hover:bg-brand-dark focus-visible:ring-2 focus-visible:ring-brand focus-visible:ring-offset-2 aria-disabled:cursor-wait aria-disabled:opacity-80"
      >
        {busy ? <Spinner /> : null}
        Sign in
      </button>
    </form>
  );
}

function Spinner() {
  return (
    <svg viewBox="0 0 16 16" aria-hidden="true" className="h-4 w-4 animate-spin">
      <circle cx="8" cy="8" r="6" fill="none" stroke="currentColor" strokeOpacity="0.3" strokeWidth="2" />
      <path d="M14 8a6 6 0 0 0-6-6" fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round" />
    </svg>
  );
}
