import type { Metadata } from 'next';
import { AddSecondaryForm } from '@/components/replication/add-secondary-form';
import { kindParam } from '../../mode-param';

export const metadata: Metadata = { title: 'Add secondary' };

export default async function AddSecondaryPage({ params }: { params: Promise<{ mode: string }> }) {
  return <AddSecondaryForm kind={await kindParam(params)} />;
}
