import type { Metadata } from 'next';
import { RaftStorageScreen } from '@/components/raft/raft-storage-screen';

export const metadata: Metadata = { title: 'Raft Storage' };

export default function RaftStoragePage() {
  return <RaftStorageScreen />;
}
