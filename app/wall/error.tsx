'use client';
import { RouteError, type RouteErrorProps } from '@/components/ui/route-error';

export default function Error(props: RouteErrorProps) {
  return (
    <main className="min-h-screen bg-slate-950 px-8 py-10">
      <RouteError {...props} />
    </main>
  );
}
