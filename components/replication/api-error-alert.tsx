// An API error shown in place, in Vault's words.
import { errorMessage } from '@/lib/api/api-error';

export function ApiErrorAlert({ error, prefix }: { error: unknown; prefix?: string }) {
  if (!error) return null;
  return (
    <div role="alert" className="rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800">
      {prefix ? <span className="font-semibold">{prefix} </span> : null}
      {errorMessage(error)}
    </div>
  );
}
