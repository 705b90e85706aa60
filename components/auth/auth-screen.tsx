// The sign-in screen's frame: Coffer's dark band and a centred card, like
// Vault's auth page.
import type { ReactNode } from 'react';
import { CofferLogo } from '@/components/ui/coffer-logo';

export function AuthScreen({ children }: { children: ReactNode }) {
  return (
    <div className="min-h-full">
      <div className="bg-chrome pb-32 text-white">
        <div className="mx-auto flex h-14 max-w-7xl items-center gap-2 px-4 text-chrome sm:px-6">
          <CofferLogo />
          <span className="text-base font-semibold tracking-tight text-white">Coffer</span>
        </div>
      </div>
      <main className="-mt-24 px-4 pb-16">
        <div className="mx-auto w-full max-w-md rounded-lg border border-gray-200 bg-white shadow-xl">
          <div className="border-b border-gray-200 px-8 pt-8 pb-5">
            <h1 className="text-2xl font-semibold tracking-tight text-gray-900">Sign in to Coffer</h1>
            <p className="mt-1 text-sm text-gray-600">Use a token, or a username and password from a userpass auth method.</p>
          </div>
          <div className="px-8 py-6">{children}</div>
        </div>
        <p className="mx-auto mt-6 max-w-md text-center text-xs text-gray-500">
          Coffer speaks the HashiCorp Vault HTTP API: the same tokens, paths and policies.
        </p>
      </main>
    </div>
  );
}
