import { isObject, type JsonObject } from './fields';

// JSON merge patch (RFC 7386), the only patch format kv v2's PATCH takes:
// null removes a key, objects merge recursively, anything else replaces.
export function mergePatch(target: JsonObject, patch: JsonObject): JsonObject {
  const out: JsonObject = { ...target };
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else if (isObject(value)) out[key] = mergePatch(isObject(out[key]) ? (out[key] as JsonObject) : {}, value);
    else out[key] = value;
  }
  return out;
}
