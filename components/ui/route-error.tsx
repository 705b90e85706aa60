'use client';
// The body of every error.tsx: what failed, in Vault's words, and a Retry that
// clears React Query's error state before Next re-renders the segment.
import { useQueryErrorResetBoundary } from '@tanstack/react-query';
import { ApiError, errorMessage } from '@/lib/api/api-error';

export interface RouteErrorProps {
  error: unknown;
  retry: () => void;
}

function titleFor(err: unknown): string {
  if (err instanceof ApiError) {
    if (err.status === 403) return 'Not authorized';
    if (err.status === 0) return 'Coffer is unreachable';
    if (err.status === 503) return 'Coffer is sealed or unavailable';
  }
  return 'Something went wrong';
}

export function RouteError({ error, retry }: RouteErrorProps) {
  const { reset } = useQueryErrorResetBoundary();
  return (
    <div role="alert" className="rounded-md border border-red-200 bg-red-50 p-5">
      <h2 className="text-base font-semibold text-red-800">{titleFor(error)}</h2>
      <p className="mt-1 text-sm text-red-700">{errorMessage(error)}</p>
      {error instanceof ApiError && error.status > 0 ? (
        <p className="mt-1 text-xs text-red-700/80">HTTP {error.status}</p>
      ) : null}
      <button
        type="button"
        onClick={() => {
          reset();
          retry();
        }}
        className="mt-4 rounded-md bg-white px-3 py-1.5 text-sm font-medium text-red-800 shadow-sm ring-1 ring-red-300 hover:bg-red-100 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-red-700"
      >
        Retry
      </button>
    </div>
  );
}
