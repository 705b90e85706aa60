'use client';
// Whether this page is live: a steady "Live" dot, or "Reconnecting…" when the
// status feed dropped (pages then fall back to polling). Fixed width, so the
// header never shifts when it changes.
import type { FeedConnection } from '@/lib/api/status-feed';

const LOOK: Record<FeedConnection, { label: string; dot: string; text: string }> = {
  live: { label: 'Live', dot: 'bg-ok', text: 'text-gray-700' },
  connecting: { label: 'Connecting…', dot: 'bg-gray-400', text: 'text-gray-600' },
  reconnecting: { label: 'Reconnecting…', dot: 'bg-amber-500 animate-pulse', text: 'text-amber-800' },
  stopped: { label: 'Connecting…', dot: 'bg-gray-400', text: 'text-gray-600' },
};

export function FeedIndicator({ connection, tone = 'light' }: { connection: FeedConnection; tone?: 'light' | 'dark' }) {
  const look = LOOK[connection];
  return (
    <span
      role="status"
      aria-live="polite"
      data-testid="feed-status"
      data-connection={connection}
      className={`inline-flex w-36 items-center justify-end gap-2 text-xs font-medium ${tone === 'dark' ? 'text-chrome-text' : look.text}`}
    >
      <span aria-hidden="true" className={`h-2 w-2 rounded-full ${look.dot}`} />
      {look.label}
    </span>
  );
}
