// The look of the replication and KV forms, matching the sign-in card.
export const INPUT_CLASS =
  'mt-1 block w-full rounded-md border border-gray-300 bg-white px-3 py-2 text-sm text-gray-900 shadow-sm outline-none focus:border-brand focus:ring-2 focus:ring-brand/30 aria-[invalid=true]:border-red-500 read-only:bg-gray-50';
export const LABEL_CLASS = 'block text-sm font-semibold text-gray-800';
export const HELP_CLASS = 'mt-1 text-xs text-gray-600';
const BUTTON_BASE =
  'inline-flex items-center justify-center gap-2 rounded-md px-4 py-2 text-sm font-semibold shadow-sm outline-none focus-visible:ring-2 focus-visible:ring-offset-2 disabled:cursor-not-allowed disabled:opacity-60';
export const PRIMARY_BUTTON = `${BUTTON_BASE} bg-brand text-white hover:bg-brand-dark focus-visible:ring-brand`;
export const SECONDARY_BUTTON = `${BUTTON_BASE} bg-white text-gray-800 ring-1 ring-gray-300 hover:bg-gray-50 focus-visible:ring-brand`;
export const DANGER_BUTTON = `${BUTTON_BASE} bg-danger text-white hover:bg-red-800 focus-visible:ring-danger`;
export const LINK_CLASS = 'font-medium text-brand underline-offset-2 hover:text-brand-dark hover:underline focus-visible:outline-2 focus-visible:outline-brand';
export const CARD_CLASS = 'rounded-lg border border-gray-200 bg-white p-5 shadow-sm';
