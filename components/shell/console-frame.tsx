'use client';
// The layout of /ui/vault/*: the sign-in page stands alone; every other page
// sits in the signed-in frame (header with navigation, Status and user menus).
// The token lives in sessionStorage, so the server cannot know who is signed
// in: until the browser says, the frame renders a skeleton and no page body.
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { usePathname, useRouter, useSelectedLayoutSegment } from 'next/navigation';
import { useEffect, useRef, type ReactNode } from 'react';
import { ApiError } from '@/lib/api/api-error';
import { clearSession, useSession } from '@/lib/api/session';
import { signInHref } from '@/lib/api/sign-in';
import { lookupSelfQuery } from '@/lib/api/token';
import { DrSecondaryGate } from '@/components/replication/dr-secondary-gate';
import { isDrillActive } from '@/components/drill/drill-activity';
import { AppHeader } from './app-header';
import { FrameSkeleton } from './frame-skeleton';
import { StatusMenu } from './status-menu';
import { TopNav } from './top-nav';
import { UserMenu } from './user-menu';

/** Segments under /vault that render without the frame and without a token. */
const STANDALONE_SEGMENTS = new Set(['auth', 'replication-dr-promote']);

export function ConsoleFrame({ children }: { children: ReactNode }) {
  const segment = useSelectedLayoutSegment();
  if (segment !== null && STANDALONE_SEGMENTS.has(segment)) return <>{children}</>;
  return (
    <DrSecondaryGate>
      <SignedInFrame>{children}</SignedInFrame>
    </DrSecondaryGate>
  );
}

function SignedInFrame({ children }: { children: ReactNode }) {
  const state = useSession();
  const router = useRouter();
  const pathname = usePathname();
  const queryClient = useQueryClient();
  const token = state.status === 'signed-in' ? state.session.token : '';
  const self = useQuery({ ...lookupSelfQuery(token), enabled: token !== '' });
  // Signing out goes to a plain sign-in page; losing the token elsewhere
  // comes back here after signing in again.
  const signedOutOnPurpose = useRef(false);

  useEffect(() => {
    if (state.status !== 'signed-out') return;
    const back = signedOutOnPurpose.current || pathname === '/vault' ? undefined : pathname;
    router.replace(signInHref(back));
  }, [state.status, router, pathname]);

  // A token Vault no longer accepts: forget it and go back to sign in.
  useEffect(() => {
    // Not mid-drill: a demoted or stopped cluster refuses the token for a while, on purpose.
    if (self.error instanceof ApiError && self.error.isPermissionDenied && !isDrillActive()) {
      queryClient.clear();
      clearSession();
    }
  }, [self.error, queryClient]);

  if (state.status !== 'signed-in') return <FrameSkeleton />;

  const { session } = state;
  const displayName = session.displayName || self.data?.display_name || 'token';
  const policies = session.policies.length > 0 ? session.policies : (self.data?.policies ?? []);

  function signOut() {
    signedOutOnPurpose.current = true;
    clearSession();
    queryClient.clear();
  }

  return (
    <div className="min-h-full">
      <AppHeader
        nav={<TopNav />}
        right={
          <>
            <StatusMenu />
            <UserMenu displayName={displayName} policies={policies} onSignOut={signOut} />
          </>
        }
      />
      <main id="main" className="mx-auto max-w-7xl px-4 py-8 sm:px-6">
        {children}
      </main>
    </div>
  );
}
