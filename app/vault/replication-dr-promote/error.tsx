'use client';
import { RouteError, type RouteErrorProps } from '@/components/ui/route-error';

export default function Error(props: RouteErrorProps) {
  return (
    <main className="mx-auto max-w-3xl px-4 py-10">
      <RouteError {...props} />
    </main>
  );
}
