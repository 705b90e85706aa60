import type { Metadata } from 'next';
import { PageHeader } from '@/components/ui/page-header';

export const metadata: Metadata = { title: 'Tools' };

// Vault's response-wrapping tools. The forms arrive in a later issue; the
// API underneath is sys/wrapping/{wrap,lookup,unwrap}.
const TOOLS = [
  { name: 'Wrap', path: 'sys/wrapping/wrap', text: 'Put data in a single-use wrapping token with a TTL, to hand it over safely.' },
  { name: 'Lookup', path: 'sys/wrapping/lookup', text: "See a wrapping token's creation time, path and TTL without using it up." },
  { name: 'Unwrap', path: 'sys/wrapping/unwrap', text: 'Redeem a wrapping token once and read the data it protects.' },
];

export default function ToolsPage() {
  return (
    <>
      <PageHeader title="Tools" description="Wrap / Lookup / Unwrap: response-wrapping helpers." />
      <ul className="grid gap-4 sm:grid-cols-3">
        {TOOLS.map((t) => (
          <li key={t.name} className="rounded-md border border-gray-200 bg-white p-5">
            <h2 className="text-base font-semibold text-gray-900">{t.name}</h2>
            <p className="mt-1 text-sm text-gray-600">{t.text}</p>
            <p className="mt-3 font-mono text-xs text-gray-500">POST /v1/{t.path}</p>
          </li>
        ))}
      </ul>
      <p className="mt-6 text-sm text-gray-500">These forms come to the console in a later release.</p>
    </>
  );
}
