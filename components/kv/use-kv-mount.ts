'use client';
// The mount a KV page is on, with its KV version (suspends while loading).
import { useSuspenseQuery } from '@tanstack/react-query';
import { useToken } from '@/components/shell/use-token';
import { kvMountQuery, type KvMount } from '@/lib/api/kv';

export function useKvMount(mount: string): { token: string; mount: KvMount } {
  const token = useToken();
  const { data } = useSuspenseQuery(kvMountQuery(token, mount));
  return { token, mount: data };
}
