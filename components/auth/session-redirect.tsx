'use client';
// /ui/ itself: straight on to the secrets list when signed in, else to sign in.
import { useRouter } from 'next/navigation';
import { useEffect } from 'react';
import { useSession } from '@/lib/api/session';
import { SIGNED_IN_HOME, signInHref } from '@/lib/api/sign-in';

export function SessionRedirect() {
  const state = useSession();
  const router = useRouter();
  useEffect(() => {
    if (state.status === 'signed-in') router.replace(SIGNED_IN_HOME);
    else if (state.status === 'signed-out') router.replace(signInHref());
  }, [state.status, router]);
  return (
    <div role="status" className="flex min-h-full items-center justify-center bg-chrome text-sm text-chrome-text">
      Loading Coffer…
    </div>
  );
}
