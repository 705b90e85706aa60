// Types for js-hcl-parser (HashiCorp's HCL1 parser compiled with GopherJS),
// which ships none. Both functions return a string on failure instead of
// throwing; server/hcl.ts is the only caller and checks for that.
declare module 'js-hcl-parser' {
  const hcl: {
    /** HCL1 or JSON text → JSON text, or an error message string. */
    parse(text: string): string;
    /** JSON text → HCL1 text, or an error message string. */
    stringify(json: string): string;
  };
  export default hcl;
}
