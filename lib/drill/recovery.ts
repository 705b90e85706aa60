import type { DrillLeftState } from './types';

// What a drill that stopped early leaves behind, and the exact commands to
// get back to the original roles. Tokens are never printed: placeholders
// name which token each command needs.
export type DrillProgress =
  | 'untouched' // nothing destructive happened yet
  | 'primary-demoted' // planned: the primary was demoted, nobody promoted
  | 'primary-stopped' // unplanned: the primary was killed, nobody promoted
  | 'secondary-promoted' // the secondary is the DR primary; the old one is demoted or stopped
  | 'old-rejoined' // fail back: the old primary is a DR secondary of the new one
  | 'new-demoted' // fail back: the new primary was demoted, the old one not yet promoted
  | 'failed-back'; // roles restored

export interface RecoveryNames {
  primary: { name: string; addr: string };
  secondary: { name: string; addr: string };
  others: { name: string; addr: string; mode: 'performance' | 'dr' }[];
  canaryMount: string;
  kind: 'planned' | 'unplanned';
}

const DR_TOKEN = '<DR operation token>';
const at = (addr: string) => `VAULT_ADDR=${addr} coffer`;

function rejoin(secondary: { name: string; addr: string }, primary: { name: string; addr: string }): string[] {
  return [
    `${at(primary.addr)} write sys/replication/dr/primary/secondary-token id=${secondary.name}-rejoin   # copy the wrapping token`,
    `${at(secondary.addr)} write sys/replication/dr/secondary/update-primary dr_operation_token=${DR_TOKEN} token=<that wrapping token>`,
  ];
}

function repointOthers(n: RecoveryNames, to: { name: string; addr: string }): string[] {
  const out: string[] = [];
  for (const o of n.others) {
    if (o.mode === 'performance')
      out.push(`${at(o.addr)} write sys/replication/performance/secondary/update-primary update_primary_addrs=<cluster address of ${to.name} (sys/leader)>`);
    else out.push(...rejoin(o, to));
  }
  return out;
}

export function leftStateFor(progress: DrillProgress, n: RecoveryNames): DrillLeftState {
  const P = n.primary;
  const S = n.secondary;
  const cleanup = (where: { addr: string }) => `${at(where.addr)} secrets disable ${n.canaryMount}/   # the drill's canary mount`;
  switch (progress) {
    case 'untouched':
      return { description: `Nothing destructive happened: ${P.name} is still the DR primary and ${S.name} its DR secondary.`, recovery: [cleanup(P)] };
    case 'primary-demoted':
      return {
        description: `${P.name} was demoted and no cluster is the DR primary: clients are refused everywhere in this replication set. ${S.name} is still a DR secondary with ${P.name}'s data.`,
        recovery: [`${at(P.addr)} write sys/replication/dr/secondary/promote dr_operation_token=${DR_TOKEN}`, ...rejoin(S, P), cleanup(P)],
      };
    case 'primary-stopped':
      return {
        description: `${P.name} was stopped (SIGKILL through the lab) and no cluster was promoted. ${S.name} is still its DR secondary and reconnects when ${P.name} runs again.`,
        recovery: [`${at(S.addr)} write -f sys/lab/clusters/${P.name}/start   # or any lab cluster`, cleanup(P)],
      };
    case 'secondary-promoted':
      return {
        description: `${S.name} is the DR primary now. ${P.name} is ${n.kind === 'planned' ? 'demoted (a DR secondary without a primary)' : 'stopped or fenced (it learns it was superseded)'}. Other secondaries may still point at ${P.name}.`,
        recovery: [
          '# Either keep the new primary: re-point the others and re-join the old primary under it',
          ...repointOthers(n, S),
          ...(n.kind === 'unplanned' ? [`${at(S.addr)} write -f sys/lab/clusters/${P.name}/start`, `${at(P.addr)} write -f sys/replication/dr/primary/demote`] : []),
          ...rejoin(P, S),
          '# …then, to fail back, run the drill again with the roles swapped, or: demote the new primary and promote the old one',
          cleanup(S),
        ],
      };
    case 'old-rejoined':
      return {
        description: `${S.name} is the DR primary and ${P.name} re-joined it as a DR secondary (no data was wiped). The roles are not switched back yet.`,
        recovery: [
          `${at(S.addr)} write -f sys/replication/dr/primary/demote`,
          `${at(P.addr)} write sys/replication/dr/secondary/promote dr_operation_token=${DR_TOKEN}`,
          ...rejoin(S, P),
          ...repointOthers(n, P),
          cleanup(P),
        ],
      };
    case 'new-demoted':
      return {
        description: `${S.name} was demoted on the way back and ${P.name} is not promoted yet: no cluster is the DR primary.`,
        recovery: [`${at(P.addr)} write sys/replication/dr/secondary/promote dr_operation_token=${DR_TOKEN}`, ...rejoin(S, P), ...repointOthers(n, P), cleanup(P)],
      };
    case 'failed-back':
      return { description: `${P.name} is the DR primary again and ${S.name} its DR secondary.`, recovery: [...repointOthers(n, P), cleanup(P)] };
  }
}
