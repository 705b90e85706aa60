'use client';
// The signed-in token, for components rendered inside the signed-in frame
// (which renders its pages only once a token is known).
import { useSession } from '@/lib/api/session';

export function useToken(): string {
  const state = useSession();
  if (state.status !== 'signed-in') throw new Error('useToken is only for pages inside the signed-in frame');
  return state.session.token;
}
