import type { Metadata } from 'next';
import { KvCreateSecret } from '@/components/kv/kv-secret-form';
import { joinSegments } from '@/components/kv/kv-hrefs';

export const metadata: Metadata = { title: 'Create secret' };

export default async function KvCreatePage({
  params,
  searchParams,
}: {
  params: Promise<{ mount: string }>;
  searchParams: Promise<{ initialKey?: string }>;
}) {
  const { mount } = await params;
  const { initialKey } = await searchParams;
  return <KvCreateSecret mountName={joinSegments([mount], false)} initialDir={initialKey ?? ''} />;
}
