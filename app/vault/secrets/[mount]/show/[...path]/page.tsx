import type { Metadata } from 'next';
import { KvSecretView } from '@/components/kv/kv-secret-view';
import { joinSegments } from '@/components/kv/kv-hrefs';

export const metadata: Metadata = { title: 'Secret' };

export default async function KvShowPage({
  params,
  searchParams,
}: {
  params: Promise<{ mount: string; path: string[] }>;
  searchParams: Promise<{ version?: string }>;
}) {
  const { mount, path } = await params;
  const { version } = await searchParams;
  const v = Number(version);
  return <KvSecretView mountName={joinSegments([mount], false)} path={joinSegments(path, false)} version={Number.isInteger(v) && v > 0 ? v : undefined} />;
}
