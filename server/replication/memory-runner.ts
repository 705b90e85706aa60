import type { ReplicationContext } from './context';
import type { FrameConnection } from './transport';
import { SecondaryRunner } from './secondary';
import type { Mode } from './state';

/**
 * A SecondaryRunner for the data plane's unit tests: an already bootstrapped
 * secondary of set `clusterId` that reaches its primary through `connect`
 * (an in-memory link from memory-connection.ts), with every control-plane
 * callback a no-op.
 */
export function memorySecondaryRunner(opts: {
  ctx: ReplicationContext;
  mode: Mode;
  clusterId: string;
  secondaryId: string;
  connect: () => Promise<FrameConnection>;
}): SecondaryRunner {
  return new SecondaryRunner({
    ctx: opts.ctx,
    mode: opts.mode,
    bundle: () => null,
    primaryClusterAddr: () => 'memory',
    clusterId: () => opts.clusterId,
    secondaryId: () => opts.secondaryId,
    epoch: () => 0,
    needsBootstrap: () => false,
    bootstrapNonce: () => '',
    onBootstrap: async () => {},
    onPrimaryInfo: () => {},
    onRefusal: () => {},
    onApplied: () => {},
    onSynced: async () => {},
    connect: opts.connect,
  });
}
