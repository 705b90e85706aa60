import type { Metadata } from 'next';
import { StatusWall } from '@/components/wall/status-wall';

export const metadata: Metadata = { title: 'Status wall' };

// Outside /vault: no sign-in frame, no token — the feeds are public.
export default function WallPage() {
  return <StatusWall />;
}
