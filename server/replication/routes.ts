import type { Core } from '../core/core';
import type { Route, RouteContext } from '../core/route';
import { xorDecode } from '../core/generate-root';
import { badRequest } from '../errors';
import { noContent, rawJson } from '../engines/sys/respond';
import { checkDrOperationToken, revokeDrOperationToken } from './dr-operation';
import type { ReplicationManager } from './manager';
import { merkleRoutes } from './merkle-routes';
import { demotePrimary, disablePrimary, enablePrimary, ensureCredentials, revokeSecondary, secondaryToken } from './primary-ops';
import { disableSecondary, enableSecondary, promoteSecondary, updatePrimary } from './secondary-ops';
import type { Mode } from './state';
import { modeStatus, replicationStatus } from './status';
import type { RootGeneration } from '../core/generate-root';

// sys/replication/* with Vault's paths, parameters and auth rules (reference §2).
type Ctx = RouteContext<Core>;
const M = '(?<mode>dr|performance)';
const modeOf = (ctx: Ctx): Mode => (ctx.params.mode ?? 'performance') as Mode;

export function replicationRoutes(mgr: ReplicationManager, drGeneration: RootGeneration): Route<Core>[] {
  const isDrSecondary = () => mgr.state('dr').mode === 'secondary';
  /** On a DR secondary the DR operation token is the authorisation (no Vault token). */
  const drAuth = (ctx: Ctx, path: string) => {
    if (modeOf(ctx) === 'dr') checkDrOperationToken(mgr.opts.core, mgr.store, ctx.data.dr_operation_token, path);
  };
  const requireDrSecondary = () => {
    if (!isDrSecondary()) throw badRequest('Not a DR secondary');
  };
  /** Drop every secondary link; each run loop reconnects at once. */
  const recover = () => {
    for (const r of Object.values(mgr.runners)) r?.dropConnection();
    return { warnings: ['Replication connections restarted.'] };
  };
  return [
    { pattern: 'sys/replication/status', unauthenticated: true, ops: { read: () => ({ data: { ...replicationStatus(mgr) } }) } },
    { pattern: `sys/replication/${M}/status`, unauthenticated: true, ops: { read: (c) => ({ data: { ...modeStatus(mgr, modeOf(c)) } }) } },
    // primary side
    { pattern: `sys/replication/(?:${M}/)?primary/enable`, ops: { update: (c) => enablePrimary(mgr, modeOf(c), c.data) } },
    { pattern: `sys/replication/(?:${M}/)?primary/secondary-token`, sudo: true, ops: { update: (c) => secondaryToken(mgr, modeOf(c), c.data, c.req) } },
    { pattern: `sys/replication/(?:${M}/)?primary/revoke-secondary`, ops: { update: (c) => revokeSecondary(mgr, modeOf(c), c.data) } },
    { pattern: `sys/replication/(?:${M}/)?primary/demote`, ops: { update: (c) => demotePrimary(mgr, modeOf(c)) } },
    { pattern: `sys/replication/(?:${M}/)?primary/disable`, ops: { update: (c) => disablePrimary(mgr, modeOf(c)) } },
    // secondary side: performance paths need a token; DR ones take a DR operation token instead
    { pattern: 'sys/replication/(?:(?<mode>performance)/)?secondary/enable', ops: { update: (c) => enableSecondary(mgr, 'performance', c.data) } },
    { pattern: 'sys/replication/dr/secondary/enable', ops: { update: (c) => enableSecondary(mgr, 'dr', c.data) } },
    { pattern: 'sys/replication/(?:(?<mode>performance)/)?secondary/promote', ops: { update: (c) => promoteSecondary(mgr, 'performance', c.data, () => ensureCredentials(mgr)) } },
    { pattern: 'sys/replication/(?:(?<mode>performance)/)?secondary/disable', ops: { update: () => disableSecondary(mgr, 'performance') } },
    { pattern: 'sys/replication/(?:(?<mode>performance)/)?secondary/update-primary', ops: { update: (c) => updatePrimary(mgr, 'performance', c.data) } },
    {
      pattern: 'sys/replication/(?<mode>dr)/secondary/promote',
      unauthenticated: true,
      ops: {
        update: (c) => {
          drAuth(c, 'sys/replication/dr/secondary/promote');
          return promoteSecondary(mgr, 'dr', c.data, () => ensureCredentials(mgr));
        },
      },
    },
    {
      pattern: 'sys/replication/(?<mode>dr)/secondary/disable',
      unauthenticated: true,
      ops: {
        update: (c) => {
          drAuth(c, 'sys/replication/dr/secondary/disable');
          return disableSecondary(mgr, 'dr');
        },
      },
    },
    {
      pattern: 'sys/replication/(?<mode>dr)/secondary/update-primary',
      unauthenticated: true,
      ops: {
        update: (c) => {
          drAuth(c, 'sys/replication/dr/secondary/update-primary');
          return updatePrimary(mgr, 'dr', c.data);
        },
      },
    },
    {
      pattern: 'sys/replication/dr/secondary/operation-token/delete',
      unauthenticated: true,
      ops: {
        update: (c) => {
          requireDrSecondary();
          checkDrOperationToken(mgr.opts.core, mgr.store, c.data.dr_operation_token);
          revokeDrOperationToken(mgr.store, c.data.dr_operation_token as string);
          return noContent();
        },
      },
    },
    // DR operation token generation, with the (primary's) unseal keys
    {
      pattern: 'sys/replication/dr/secondary/generate-operation-token/attempt',
      unauthenticated: true,
      ops: {
        read: () => (requireDrSecondary(), rawJson(drGeneration.status())),
        update: (c) => (requireDrSecondary(), rawJson(drGeneration.start(c.data))),
        delete: () => {
          requireDrSecondary();
          drGeneration.cancel();
          return noContent();
        },
      },
    },
    {
      pattern: 'sys/replication/dr/secondary/generate-operation-token/update',
      unauthenticated: true,
      ops: { update: async (c) => (requireDrSecondary(), rawJson(await drGeneration.update(c.data))) },
    },
    {
      pattern: 'sys/replication/dr/secondary/generate-operation-token/decode',
      unauthenticated: true,
      ops: {
        update: (c) => {
          const { encoded_token: enc, otp } = c.data;
          if (typeof enc !== 'string' || typeof otp !== 'string' || !enc || !otp) throw badRequest("'encoded_token' and 'otp' are required");
          return { data: { token: xorDecode(enc, otp) } };
        },
      },
    },
    ...merkleRoutes(mgr, requireDrSecondary),
    { pattern: 'sys/replication/recover', ops: { update: () => recover() } },
    {
      // Unauthenticated in Vault (PathsSpecial): no Vault token works on a DR secondary.
      pattern: 'sys/replication/dr/secondary/recover',
      unauthenticated: true,
      ops: { update: () => (requireDrSecondary(), recover()) },
    },
  ];
}
