// How a cluster started by `coffer lab` reaches the lab's control endpoint
// (server/lab-control.ts): its URL and bearer token come in the environment
// the lab starts it with, read once by main.ts (wiring) and set here before
// the node starts. Outside a lab there is no link and sys/lab answers 404.
export const LAB_URL_ENV = 'COFFER_LAB_URL';
export const LAB_TOKEN_ENV = 'COFFER_LAB_TOKEN';

export interface LabLink {
  url: string;
  token: string;
}

let link: LabLink | null = null;

export function labLinkFromEnv(env: Record<string, string | undefined>): LabLink | null {
  const url = env[LAB_URL_ENV];
  const token = env[LAB_TOKEN_ENV];
  if (!url || !token) return null;
  const u = new URL(url);
  // The control endpoint is loopback only; a link elsewhere is a mistake, not a lab.
  if (!['127.0.0.1', 'localhost', '[::1]'].includes(u.hostname)) throw new Error(`${LAB_URL_ENV} must be a loopback address, got ${u.hostname}`);
  return { url: url.replace(/\/+$/, ''), token };
}

/** Set once at start-up, before the node serves requests. */
export function setLabLink(l: LabLink | null): void {
  link = l;
}

export function labLink(): LabLink | null {
  return link;
}
