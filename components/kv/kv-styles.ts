// Buttons and inputs of the KV browser (same look as the rest of the console).
const KV_FIELD =
  'rounded-md border border-gray-300 bg-white px-3 py-2 font-mono text-sm text-gray-900 shadow-sm outline-none focus:border-brand focus:ring-2 focus:ring-brand/30 read-only:bg-gray-50';
/** A full-width field under its label. */
export const KV_INPUT = `mt-1 block w-full ${KV_FIELD}`;
/** A field sized by its row (key/value pairs). */
export const KV_ROW_INPUT = `block min-w-0 ${KV_FIELD}`;
export const KV_PRIMARY_BUTTON =
  'inline-flex items-center justify-center rounded-md bg-brand px-4 py-2 text-sm font-semibold text-white shadow-sm outline-none hover:bg-brand-dark focus-visible:ring-2 focus-visible:ring-brand focus-visible:ring-offset-2 disabled:opacity-60';
export const KV_SECONDARY_BUTTON =
  'inline-flex items-center justify-center rounded-md bg-white px-4 py-2 text-sm font-semibold text-gray-800 shadow-sm ring-1 ring-gray-300 outline-none hover:bg-gray-50 focus-visible:ring-2 focus-visible:ring-brand';
