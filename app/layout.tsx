import type { Metadata } from 'next';
import type { ReactNode } from 'react';
import { Providers } from '@/components/providers';
import './globals.css';

// Rendered per request, never prerendered: each response carries a fresh CSP
// nonce (server/http/ui-headers.ts) that Next must put on its inline scripts.
export const dynamic = 'force-dynamic';

export const metadata: Metadata = {
  title: { default: 'Coffer', template: '%s · Coffer' },
  description: 'Coffer: a secrets server that speaks the Vault API',
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body className="min-h-full font-sans antialiased">
        <Providers>{children}</Providers>
      </body>
    </html>
  );
}
