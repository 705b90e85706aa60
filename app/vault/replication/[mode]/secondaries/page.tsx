import type { Metadata } from 'next';
import { SecondariesList } from '@/components/replication/secondaries-list';
import { kindParam } from '../mode-param';

export const metadata: Metadata = { title: 'Secondaries' };

export default async function SecondariesPage({ params }: { params: Promise<{ mode: string }> }) {
  return <SecondariesList kind={await kindParam(params)} />;
}
