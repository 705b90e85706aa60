// A replication state as Vault shows it: glyph + name, toned from the one
// table in lib/cluster-states.ts.
import { clusterState, type StateGlyph as Glyph, type StateTone } from '@/lib/cluster-states';

export const TONE_TEXT: Record<StateTone, string> = {
  ok: 'text-ok',
  syncing: 'text-amber-600',
  error: 'text-danger',
  neutral: 'text-gray-500',
};

export function StateGlyph({ glyph, className = 'h-5 w-5' }: { glyph: Glyph; className?: string }) {
  const common = { viewBox: '0 0 20 20', 'aria-hidden': true as const, className };
  switch (glyph) {
    case 'check':
      return (
        <svg {...common}>
          <circle cx="10" cy="10" r="9" fill="currentColor" />
          <path d="M6 10.5l2.5 2.5L14 7.5" fill="none" stroke="white" strokeWidth="2" strokeLinecap="round" strokeLinejoin="round" />
        </svg>
      );
    case 'sync':
      return (
        <svg {...common} className={`${className} motion-safe:animate-spin [animation-duration:2s]`}>
          <path d="M16 10a6 6 0 1 1-2-4.47" fill="none" stroke="currentColor" strokeWidth="2.2" strokeLinecap="round" />
          <path d="M14.5 2.5v3.5H11" fill="none" stroke="currentColor" strokeWidth="2.2" strokeLinecap="round" strokeLinejoin="round" />
        </svg>
      );
    case 'x-square':
      return (
        <svg {...common}>
          <rect x="1.5" y="1.5" width="17" height="17" rx="3" fill="currentColor" />
          <path d="M7 7l6 6M13 7l-6 6" stroke="white" strokeWidth="2" strokeLinecap="round" />
        </svg>
      );
    case 'x-circle':
      return (
        <svg {...common}>
          <circle cx="10" cy="10" r="9" fill="currentColor" />
          <path d="M7 7l6 6M13 7l-6 6" stroke="white" strokeWidth="2" strokeLinecap="round" />
        </svg>
      );
    default:
      return (
        <svg {...common}>
          <circle cx="10" cy="10" r="5" fill="currentColor" />
        </svg>
      );
  }
}

/** Glyph and state name; `size="lg"` for dashboard cards. */
export function StateValue({ state, size = 'md' }: { state: string | undefined; size?: 'sm' | 'md' | 'lg' }) {
  const s = clusterState(state);
  const text = size === 'lg' ? 'text-2xl font-semibold' : size === 'sm' ? 'text-xs font-medium' : 'text-sm font-semibold';
  const icon = size === 'lg' ? 'h-6 w-6' : size === 'sm' ? 'h-3.5 w-3.5' : 'h-4 w-4';
  return (
    <span className={`inline-flex items-center gap-2 ${TONE_TEXT[s.tone]}`} title={s.meaning} data-state={s.label} data-tone={s.tone}>
      <StateGlyph glyph={s.glyph} className={`${icon} shrink-0`} />
      <span className={`${text} font-mono`}>{s.label}</span>
    </span>
  );
}
