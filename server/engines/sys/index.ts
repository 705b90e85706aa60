import { tokenRoutes } from '../../auth/token';
import type { Core } from '../../core/core';
import { compileRoutes, type Route } from '../../core/route';
import { auditRoutes } from './audit';
import { generateRootRoutes } from './generate-root';
import { rekeyRoutes } from './rekey';
import { hostInfoRoutes } from './host-info';
import { raftConfigurationRoutes } from './raft-configuration';
import { raftSnapshotRoutes } from './raft-snapshot';
import { leaseRoutes } from './leases';
import { lockedUserRoutes } from './locked-users';
import { mountRoutes } from './mounts';
import { policyRoutes } from './policies';
import { remountRoutes } from './remount';
import { sealRoutes } from './seal';
import { healthRoutes } from './health';
import { haRoutes } from './ha';
import { wrappingRoutes } from './wrapping';
import { metricsRoutes } from '../../telemetry/routes';
import { drillRoutes } from './drills';
import { labRoutes } from './lab';
import { corsRoutes } from './cors';

/** Every built-in route; replication adds its own with extraRoutes. */
export function builtinRoutes(extraRoutes: Route<Core>[] = []) {
  return compileRoutes<Core>([...sealRoutes, ...healthRoutes, ...haRoutes, ...generateRootRoutes, ...rekeyRoutes, ...mountRoutes, ...lockedUserRoutes, ...auditRoutes, ...policyRoutes, ...wrappingRoutes, ...tokenRoutes, ...metricsRoutes, ...leaseRoutes, ...remountRoutes, ...hostInfoRoutes, ...raftSnapshotRoutes, ...raftConfigurationRoutes, ...drillRoutes, ...labRoutes, ...corsRoutes, ...extraRoutes]);
}
