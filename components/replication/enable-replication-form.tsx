'use client';
// Vault's "Enable Replication" form (replication-api.md §7.2): kind, cluster
// mode, and the fields of that mode. Enabling a secondary wipes this cluster,
// so it goes through a type-to-confirm dialog first.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useRouter } from 'next/navigation';
import { useState, type FormEvent } from 'react';
import { KIND_TITLE } from '@/lib/cluster-states';
import { REPLICATION_STATUS_KEY, isEnabled, type ReplicationStatus } from '@/lib/api/replication';
import { enablePrimary, enableSecondary } from '@/lib/api/replication-actions';
import { tokenNeedsPrimaryAddr } from '@/lib/api/replication-token';
import { clearSession } from '@/lib/api/session';
import type { ReplicationKind } from '@/lib/types/replication';
import { useToken } from '@/components/shell/use-token';
import { ApiErrorAlert } from './api-error-alert';
import { ConfirmDialog } from './confirm-dialog';
import { Field } from './field';
import { INPUT_CLASS, PRIMARY_BUTTON } from './form-styles';
import { ReplicationKindCards } from './replication-kind-cards';
import { SecondaryTokenFields, type SecondaryTokenValues } from './secondary-token-fields';

type ClusterMode = 'primary' | 'secondary';

export const WIPE_WARNING = 'This will immediately clear all data in this cluster!';

/** Where to go once enabled: a DR secondary only has its lock screen left. */
export function afterEnablePath(kind: ReplicationKind, mode: ClusterMode): string {
  if (kind === 'dr' && mode === 'secondary') return '/vault/replication-dr-promote';
  return `/vault/replication/${kind}`;
}

export function EnableReplicationForm({ fixedKind, status }: { fixedKind?: ReplicationKind; status: ReplicationStatus }) {
  const token = useToken();
  const router = useRouter();
  const queryClient = useQueryClient();
  const [kind, setKind] = useState<ReplicationKind>(fixedKind ?? 'dr');
  const [mode, setMode] = useState<ClusterMode>('primary');
  const [primaryAddr, setPrimaryAddr] = useState('');
  const [secondary, setSecondary] = useState<SecondaryTokenValues>({ token: '', primary_api_addr: '', ca_file: '', ca_path: '' });
  const [confirming, setConfirming] = useState(false);

  const enable = useMutation({
    mutationFn: () =>
      mode === 'primary' ? enablePrimary(kind, token, { primary_cluster_addr: primaryAddr }) : enableSecondary(kind, token, secondary),
    onSuccess: async () => {
      setConfirming(false);
      // Show "bootstrapping" at once; the feed brings the real state.
      queryClient.setQueryData<ReplicationStatus>(REPLICATION_STATUS_KEY, (prev) =>
        prev ? { ...prev, [kind]: { ...prev[kind], mode: 'bootstrapping' } } : prev,
      );
      await queryClient.invalidateQueries({ queryKey: ['sys'] });
      if (mode === 'secondary' && kind === 'performance') {
        // The wipe took this cluster's tokens, ours too: sign in again (the frame sends us back here).
        queryClient.removeQueries({ queryKey: ['auth'] });
        clearSession();
        return;
      }
      // A DR secondary's own screen needs no token (and forgets the dead one).
      router.push(afterEnablePath(kind, mode));
    },
  });

  const needsAddr = mode === 'secondary' && tokenNeedsPrimaryAddr(secondary.token);
  const addrMissing = needsAddr && !secondary.primary_api_addr.trim();
  const drBlockedByPerf = kind === 'dr' && mode === 'secondary' && isEnabled(status.performance);
  const ready = mode === 'primary' || (secondary.token.trim() !== '' && !addrMissing && !drBlockedByPerf);

  function onSubmit(e: FormEvent) {
    e.preventDefault();
    if (!ready || enable.isPending) return;
    if (mode === 'secondary') setConfirming(true);
    else enable.mutate();
  }

  return (
    <>
      <form onSubmit={onSubmit} noValidate className="space-y-6">
        {fixedKind ? null : <ReplicationKindCards value={kind} onChange={(k) => (setKind(k), enable.reset())} />}

        <div className="max-w-xl space-y-5">
          <Field label="Cluster mode">
            {(c) => (
              <select
                {...c}
                value={mode}
                onChange={(e) => {
                  setMode(e.target.value as ClusterMode);
                  enable.reset();
                }}
                className={INPUT_CLASS}
              >
                <option value="primary">primary</option>
                <option value="secondary">secondary</option>
              </select>
            )}
          </Field>

          {mode === 'primary' ? (
            <Field label="Primary cluster address (optional)" help="Overrides the cluster address that the primary gives to secondary nodes.">
              {(c) => (
                <input {...c} type="text" spellCheck={false} value={primaryAddr} onChange={(e) => setPrimaryAddr(e.target.value)} placeholder="https://primary.example:8201" className={`${INPUT_CLASS} font-mono`} />
              )}
            </Field>
          ) : drBlockedByPerf ? (
            <p role="alert" className="rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800">
              Disable Performance Replication in order to enable this cluster as a DR secondary. A DR secondary is read-only and cannot run
              Performance Replication at the same time.
            </p>
          ) : (
            <>
              <p className="flex items-center gap-2 rounded-md border border-amber-300 bg-amber-50 px-3 py-2 text-sm font-semibold text-amber-900">
                <span aria-hidden="true">⚠</span>
                {WIPE_WARNING}
              </p>
              <SecondaryTokenFields values={secondary} onChange={setSecondary} needsAddr={needsAddr} />
            </>
          )}

          <ApiErrorAlert error={confirming ? null : enable.error} prefix="Enable replication failed:" />

          <button type="submit" disabled={!ready || enable.isPending} aria-busy={enable.isPending} className={PRIMARY_BUTTON}>
            Enable Replication
          </button>
        </div>
      </form>

      <ConfirmDialog
        open={confirming}
        danger
        title={`Enable ${KIND_TITLE[kind]} secondary?`}
        body={
          <>
            <p className="font-semibold text-red-800">{WIPE_WARNING}</p>
            <p className="mt-2">
              Every secret, policy, token and mount on this cluster is deleted and replaced by the primary&apos;s data. This cluster&apos;s
              unseal keys become the primary&apos;s.
            </p>
          </>
        }
        confirmText={KIND_TITLE[kind]}
        confirmLabel="Enable secondary"
        onConfirm={() => enable.mutate()}
        onCancel={() => {
          setConfirming(false);
          enable.reset();
        }}
        pending={enable.isPending}
        error={enable.error}
      />
    </>
  );
}
