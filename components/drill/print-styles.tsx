// The printable report: without the console's header, navigation, stepper
// and buttons, in black on white, with sections kept whole on a page. Inline
// <style> is allowed by the console's CSP (style-src 'unsafe-inline').
const PRINT_CSS = `
@media print {
  @page { margin: 14mm; }
  body { background: #fff !important; }
  header:not(.drill-report header), nav { display: none !important; }
  main { max-width: none !important; padding: 0 !important; }
  .drill-report { font-size: 11pt; }
  .drill-report section, .drill-report figure, .drill-report li { break-inside: avoid; }
  .drill-report pre { white-space: pre-wrap; }
}`;

export function PrintStyles() {
  return <style>{PRINT_CSS}</style>;
}
