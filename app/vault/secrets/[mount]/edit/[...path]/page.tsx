import type { Metadata } from 'next';
import { KvEditSecret } from '@/components/kv/kv-secret-form';
import { joinSegments } from '@/components/kv/kv-hrefs';

export const metadata: Metadata = { title: 'Edit secret' };

export default async function KvEditPage({ params }: { params: Promise<{ mount: string; path: string[] }> }) {
  const { mount, path } = await params;
  return <KvEditSecret mountName={joinSegments([mount], false)} path={joinSegments(path, false)} />;
}
