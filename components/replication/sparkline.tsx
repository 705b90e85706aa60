// A small line chart of the last samples (lag in ms). Fixed size, so a new
// sample never moves anything around it.
export function Sparkline({ values, label, width = 160, height = 36 }: { values: number[]; label: string; width?: number; height?: number }) {
  const max = Math.max(1, ...values);
  const step = values.length > 1 ? width / (values.length - 1) : 0;
  const points = values.map((v, i) => `${(i * step).toFixed(1)},${(height - 2 - (v / max) * (height - 4)).toFixed(1)}`).join(' ');
  return (
    <svg role="img" aria-label={label} width={width} height={height} viewBox={`0 0 ${width} ${height}`} className="block overflow-visible text-brand">
      <line x1="0" y1={height - 1} x2={width} y2={height - 1} stroke="#e5e7eb" strokeWidth="1" />
      {values.length > 1 ? <polyline points={points} fill="none" stroke="currentColor" strokeWidth="1.8" strokeLinejoin="round" /> : null}
      {values.length > 0 ? (
        <circle cx={((values.length - 1) * step).toFixed(1)} cy={(height - 2 - (values[values.length - 1] / max) * (height - 4)).toFixed(1)} r="2.5" fill="currentColor" />
      ) : null}
    </svg>
  );
}
