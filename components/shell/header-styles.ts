// Shared look of the buttons on the dark header (Status, user menu).
export const HEADER_BUTTON_CLASS =
  'flex items-center gap-2 rounded px-3 py-1.5 text-sm font-medium text-chrome-text outline-none hover:bg-chrome-raised hover:text-white focus-visible:ring-2 focus-visible:ring-brand aria-expanded:bg-chrome-raised aria-expanded:text-white';
