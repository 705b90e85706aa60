import type { ReactNode } from 'react';
import { ModeShell } from '@/components/replication/mode-shell';
import { kindParam } from './mode-param';

export default async function ModeLayout({ children, params }: { children: ReactNode; params: Promise<{ mode: string }> }) {
  return <ModeShell kind={await kindParam(params)}>{children}</ModeShell>;
}
