import type { Metadata } from 'next';
import { ModeDetails } from '@/components/replication/mode-details';
import { KIND_TITLE } from '@/lib/cluster-states';
import { kindParam } from './mode-param';

export async function generateMetadata({ params }: { params: Promise<{ mode: string }> }): Promise<Metadata> {
  return { title: `${KIND_TITLE[await kindParam(params)]} replication` };
}

export default async function ModeDetailsPage({ params }: { params: Promise<{ mode: string }> }) {
  return <ModeDetails kind={await kindParam(params)} />;
}
