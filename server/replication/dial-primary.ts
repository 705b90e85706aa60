import type { Mode, SecondaryBundle } from './state';
import { ALPN, dialCluster, type FrameConnection } from './transport';

/** A primary node's cluster port, dialed with this secondary's credentials (the bundle of its activation) for `m`. */
export function dialPrimary(addr: string, m: Mode, bundle: SecondaryBundle, timeoutMs: number): Promise<FrameConnection> {
  return dialCluster({ addr, caPem: bundle.caCert, certPem: bundle.clientCert, keyPem: bundle.clientKey, alpn: m === 'dr' ? ALPN.dr : ALPN.perf, timeoutMs });
}
