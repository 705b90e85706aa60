'use client';
import { RouteError, type RouteErrorProps } from '@/components/ui/route-error';

export default function Error(props: RouteErrorProps) {
  return <RouteError {...props} />;
}
