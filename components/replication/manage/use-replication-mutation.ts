'use client';
// A Manage action's mutation: on success, close its dialog, refresh every
// status (the feed also pushes the change) and optionally move on. It moves on
// as soon as the action answered, without waiting for those refreshes: on a
// loaded server they can take seconds, and the next page reads the refreshed
// (or fed) status anyway.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useRouter } from 'next/navigation';

export function useReplicationMutation<V>(fn: (v: V) => Promise<unknown>, opts: { onDone?: () => void; goTo?: string } = {}) {
  const queryClient = useQueryClient();
  const router = useRouter();
  return useMutation({
    mutationFn: fn,
    onSuccess: () => {
      opts.onDone?.();
      void queryClient.invalidateQueries({ queryKey: ['sys'] });
      if (opts.goTo) router.push(opts.goTo);
    },
  });
}
