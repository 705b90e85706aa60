import { redirect } from 'next/navigation';

export default async function MountIndex({ params }: { params: Promise<{ mount: string }> }) {
  const { mount } = await params;
  redirect(`/vault/secrets/${encodeURIComponent(decodeURIComponent(mount))}/list`);
}
