'use client';
// "Restore snapshot": choose a snapshot file, optionally force it (a snapshot
// taken under other keys: sys/storage/raft/snapshot-force), type "restore",
// then watch the upload's progress. Every secret in the cluster is replaced.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { ConfirmDialog } from '@/components/replication/confirm-dialog';
import { Field } from '@/components/replication/field';
import { INPUT_CLASS } from '@/components/replication/form-styles';
import { restoreSnapshot } from '@/lib/api/raft';

export const RESTORE_CONFIRM_TEXT = 'restore';

interface RestoreSnapshotDialogProps {
  token: string;
  open: boolean;
  onClose: () => void;
  /** Called with the server's warnings (a forced restore seals the node). */
  onRestored: (warnings: string[]) => void;
}

export function RestoreSnapshotDialog({ token, open, onClose, onRestored }: RestoreSnapshotDialogProps) {
  const queryClient = useQueryClient();
  const [file, setFile] = useState<File | null>(null);
  const [force, setForce] = useState(false);
  const [progress, setProgress] = useState<{ sent: number; total: number } | null>(null);
  const mutation = useMutation({
    mutationFn: (f: File) => restoreSnapshot(token, f, force, (sent, total) => setProgress({ sent, total })),
    onSuccess: (res) => {
      void queryClient.invalidateQueries({ queryKey: ['sys'] });
      onRestored(res?.warnings ?? []);
      reset();
    },
  });
  function reset() {
    setFile(null);
    setForce(false);
    setProgress(null);
    mutation.reset();
  }
  const pct = progress && progress.total > 0 ? Math.round((progress.sent / progress.total) * 100) : 0;
  return (
    <ConfirmDialog
      open={open}
      danger
      title="Restore snapshot"
      body={
        <p>
          Restoring replaces <strong>every secret, policy and mount</strong> in this cluster with the snapshot&apos;s. Writes made since the snapshot was
          taken are lost.
        </p>
      }
      confirmText={RESTORE_CONFIRM_TEXT}
      confirmLabel={force ? 'Force restore' : 'Restore'}
      canConfirm={file !== null}
      onConfirm={() => file && mutation.mutate(file)}
      onCancel={() => {
        reset();
        onClose();
      }}
      pending={mutation.isPending}
      error={mutation.error}
    >
      <Field label="Snapshot file" help="A file saved with Download snapshot or `coffer operator raft snapshot save`.">
        {(c) => (
          <input
            {...c}
            type="file"
            accept=".snap,application/octet-stream"
            disabled={mutation.isPending}
            onChange={(e) => setFile(e.target.files?.[0] ?? null)}
            className={`${INPUT_CLASS} file:mr-3 file:rounded file:border-0 file:bg-gray-100 file:px-3 file:py-1 file:text-sm`}
          />
        )}
      </Field>
      <label className="flex items-start gap-2 text-sm text-gray-800">
        <input type="checkbox" checked={force} disabled={mutation.isPending} onChange={(e) => setForce(e.target.checked)} className="mt-0.5" />
        <span>
          <span className="font-semibold">Force restore</span>
          <span className="block text-xs text-gray-600">
            Bypass the check that the snapshot was taken under this cluster&apos;s keys (snapshot-force). The node is sealed afterwards: unseal it with the keys of
            the cluster the snapshot came from.
          </span>
        </span>
      </label>
      {progress ? (
        <div>
          <div className="flex justify-between text-xs text-gray-600">
            <span>{pct < 100 ? 'Uploading…' : 'Uploaded; restoring…'}</span>
            <span>{pct}%</span>
          </div>
          <progress aria-label="Upload progress" max={100} value={pct} className="mt-1 h-2 w-full accent-brand" />
        </div>
      ) : null}
    </ConfirmDialog>
  );
}
