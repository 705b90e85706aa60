// Paths whose body is a file, not JSON: Vault streams the raft snapshot
// restore body straight to storage (vault/http/logical.go treats
// sys/storage/raft/snapshot* as raw). Here the bytes reach the handler as
// Request.rawBody, under their own (larger) size limit.
const RAW_BODY_PATHS = new Set(['sys/storage/raft/snapshot', 'sys/storage/raft/snapshot-force']);

/** A snapshot of a large store exceeds Vault's 32 MiB JSON limit; this is what a restore may upload. */
export const MAX_RAW_BODY_BYTES = 1024 * 1024 * 1024;

export const takesRawBody = (path: string) => RAW_BODY_PATHS.has(path);
