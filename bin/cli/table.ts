// Text layout that matches Vault's CLI: columns joined by four spaces, empty
// cells shown as "n/a", header rows underlined with dashes, values printed the
// way Go's %v prints decoded JSON. Scripts and eyes trained on Vault's output
// (and the seed transcripts) rely on these exact shapes.

export const COLUMN_GLUE = '    ';
export const EMPTY_CELL = 'n/a';
export const MAX_LINE_LENGTH = 78;

const width = (s: string) => [...s].length;

/** Aligns rows into columns; the last cell of each row is never padded. */
export function columnize(rows: string[][]): string {
  const widths: number[] = [];
  const cells = rows.map((row) => row.map((c) => (c.trim() === '' ? EMPTY_CELL : c.trim())));
  for (const row of cells) {
    row.forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? 0, width(cell));
    });
  }
  return cells
    .map((row) =>
      row
        .map((cell, i) => (i === row.length - 1 ? cell : cell + ' '.repeat(widths[i] - width(cell)) + COLUMN_GLUE))
        .join(''),
    )
    .join('\n');
}

/** Like columnize, with the first row treated as a header and underlined. */
export function tableOutput(header: string[], rows: string[][]): string {
  const underline = header.map((h) => '-'.repeat(width(h.trim())));
  return columnize([header, underline, ...rows]);
}

/** A Key/Value table, the shape of `vault read`. */
export function keyValueTable(rows: Array<[string, string]>): string {
  return tableOutput(['Key', 'Value'], rows);
}

/** Go's fmt %v rendering of a JSON value (maps sorted, slices space-joined). */
export function formatValue(v: unknown): string {
  if (v === null || v === undefined) return '<nil>';
  if (Array.isArray(v)) return `[${v.map(formatValue).join(' ')}]`;
  if (typeof v === 'object') {
    const obj = v as Record<string, unknown>;
    const inner = Object.keys(obj)
      .sort()
      .map((k) => `${k}:${formatValue(obj[k])}`)
      .join(' ');
    return `map[${inner}]`;
  }
  return String(v);
}

/** Go's %q rendering of a string list: ["a" "b"]. */
export function quotedList(v: unknown): string {
  const list = Array.isArray(v) ? v : [];
  return `[${list.map((s) => JSON.stringify(String(s))).join(' ')}]`;
}

/** Vault prints TTL-ish integer fields as Go durations ("768h", "1h30m"). */
export function looksLikeDuration(key: string): boolean {
  return (
    key === 'period' ||
    key.endsWith('_period') ||
    key === 'ttl' ||
    key.endsWith('_ttl') ||
    key === 'duration' ||
    key.endsWith('_duration') ||
    key === 'lease_max' ||
    key === 'ttl_max'
  );
}

/** Go's time.Duration.String() for whole seconds, minus the noisy zero units. */
export function humanDuration(totalSeconds: number): string {
  if (!Number.isFinite(totalSeconds) || totalSeconds === 0) return '0s';
  const sign = totalSeconds < 0 ? '-' : '';
  let rest = Math.abs(Math.trunc(totalSeconds));
  const h = Math.floor(rest / 3600);
  rest -= h * 3600;
  const m = Math.floor(rest / 60);
  const s = rest - m * 60;
  let out = h > 0 ? `${h}h${m}m${s}s` : m > 0 ? `${m}m${s}s` : `${s}s`;
  if (out.endsWith('m0s')) out = out.slice(0, -2);
  const idx = out.indexOf('h0m');
  if (idx > 0) out = out.slice(0, idx + 1) + out.slice(idx + 3);
  return sign + out;
}

/** A value cell: durations humanised when the key says so and the value is a number. */
export function formatCell(key: string, v: unknown): string {
  if (looksLikeDuration(key) && typeof v === 'number') return humanDuration(v);
  return formatValue(v);
}

/** Rows for a map, sorted by key like Vault's OutputMap. */
export function mapRows(data: Record<string, unknown>): Array<[string, string]> {
  return Object.keys(data)
    .sort()
    .map((k) => [k, formatCell(k, data[k])]);
}

/** Greedy word wrap at Vault's 78 columns, each line prefixed by `pad` spaces. */
export function wrapAtLength(text: string, pad = 0): string {
  const limit = MAX_LINE_LENGTH - pad;
  const lines: string[] = [];
  for (const paragraph of text.split('\n')) {
    let line = '';
    for (const word of paragraph.split(/\s+/).filter(Boolean)) {
      if (line && width(line) + 1 + width(word) > limit) {
        lines.push(line);
        line = word;
      } else {
        line = line ? `${line} ${word}` : word;
      }
    }
    lines.push(line);
  }
  return lines.map((l) => ' '.repeat(pad) + l).join('\n');
}

/** Vault's "== Title ==" banner, sized from the widest key of the table below it. */
export function headerForMap(title: string, data: Record<string, unknown>): string {
  const maxKey = Math.max(0, ...Object.keys(data).map((k) => k.length));
  // 4 for the column glue and 5 for the length of "Value".
  return padEqualSigns(title, maxKey + 4 + 5);
}

export function padEqualSigns(title: string, totalLen: number): string {
  let signs = totalLen - (title.length + 2);
  if (signs <= 0) signs = 4;
  if (signs % 2 !== 0) signs += 1;
  const side = '='.repeat(signs / 2);
  return `${side} ${title} ${side}`;
}
