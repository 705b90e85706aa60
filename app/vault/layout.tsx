import type { ReactNode } from 'react';
import { ConsoleFrame } from '@/components/shell/console-frame';

export default function VaultLayout({ children }: { children: ReactNode }) {
  return <ConsoleFrame>{children}</ConsoleFrame>;
}
