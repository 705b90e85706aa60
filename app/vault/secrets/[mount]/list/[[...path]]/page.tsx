import type { Metadata } from 'next';
import { KvList } from '@/components/kv/kv-list';
import { joinSegments } from '@/components/kv/kv-hrefs';

export const metadata: Metadata = { title: 'Secrets' };

export default async function KvListPage({ params }: { params: Promise<{ mount: string; path?: string[] }> }) {
  const { mount, path } = await params;
  return <KvList mountName={joinSegments([mount], false)} dir={joinSegments(path, true)} />;
}
