import type { Metadata } from 'next';
import { ManagePage } from '@/components/replication/manage/manage-page';
import { kindParam } from '../mode-param';

export const metadata: Metadata = { title: 'Manage replication' };

export default async function ManageRoute({ params }: { params: Promise<{ mode: string }> }) {
  return <ManagePage kind={await kindParam(params)} />;
}
