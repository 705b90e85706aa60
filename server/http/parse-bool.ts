// Go's strconv.ParseBool, which Vault uses for `?list=` (http/logical.go):
// exactly these spellings, anything else is an error (a 400 at the edge).
const TRUE_FORMS = new Set(['1', 't', 'T', 'TRUE', 'true', 'True']);
const FALSE_FORMS = new Set(['0', 'f', 'F', 'FALSE', 'false', 'False']);

/** true / false for Go's spellings; undefined for anything else. */
export function parseGoBool(s: string): boolean | undefined {
  if (TRUE_FORMS.has(s)) return true;
  if (FALSE_FORMS.has(s)) return false;
  return undefined;
}

export const GO_BOOL_FORMS: readonly string[] = [...TRUE_FORMS, ...FALSE_FORMS];
