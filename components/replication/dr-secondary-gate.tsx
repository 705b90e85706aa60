'use client';
// A DR secondary answers no normal API call, not even with a root token, so
// the signed-in console cannot work there. Like Vault's UI, every console
// route of a DR secondary goes to its own screen, which needs no token
// (§7 "When dr.mode == secondary, every route redirects to the DR-secondary
// screen … before auth"). Detection: sys/health?drsecondarycode=200.
import { useQuery } from '@tanstack/react-query';
import { usePathname, useRouter } from 'next/navigation';
import { useEffect, type ReactNode } from 'react';
import { healthQuery } from '@/lib/api/cluster-status';
import { FrameSkeleton } from '@/components/shell/frame-skeleton';
import { useDrillActive } from '@/components/drill/drill-activity';

export const DR_SCREEN_PATH = '/vault/replication-dr-promote';

/** The DR screen's page matching where the user was going. */
export function drScreenPath(pathname: string): string {
  return pathname.startsWith('/vault/replication/dr/manage') ? `${DR_SCREEN_PATH}/manage` : DR_SCREEN_PATH;
}

export function DrSecondaryGate({ children }: { children: ReactNode }) {
  const health = useQuery(healthQuery());
  const pathname = usePathname();
  const router = useRouter();
  // A running drill demotes this very cluster on purpose: stay on the drill page.
  const drilling = useDrillActive();
  const drSecondary = !drilling && health.data?.replication_dr_mode === 'secondary';
  // Trust "secondary" only once it is fresh: after a promotion the cached answer is stale.
  const redirect = drSecondary && !health.isFetching;

  useEffect(() => {
    if (redirect) router.replace(drScreenPath(pathname));
  }, [redirect, router, pathname]);

  if ((health.isPending && !drilling) || drSecondary) return <FrameSkeleton />;
  return <>{children}</>;
}
