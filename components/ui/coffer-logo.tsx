// Coffer's mark: a strongbox with a keyhole. Decorative; the text beside it
// carries the name.
export function CofferLogo({ className = 'h-7 w-7' }: { className?: string }) {
  return (
    <svg viewBox="0 0 32 32" aria-hidden="true" className={className}>
      <rect x="3" y="8" width="26" height="19" rx="3" fill="#1563ff" />
      <path d="M3 13h26" stroke="currentColor" strokeWidth="2.5" />
      <circle cx="16" cy="19" r="2.6" fill="currentColor" />
      <path d="M15 20.5h2l.6 3.5h-3.2z" fill="currentColor" />
    </svg>
  );
}
