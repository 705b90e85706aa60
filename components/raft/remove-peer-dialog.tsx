'use client';
// "Remove peer" behind a confirmation: the operator types the node id, as
// `vault operator raft remove-peer <id>` names it.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { ConfirmDialog } from '@/components/replication/confirm-dialog';
import { RAFT_KEY, removePeer, type RaftServer } from '@/lib/api/raft';

interface RemovePeerDialogProps {
  token: string;
  peer: RaftServer | null;
  onClose: () => void;
  onRemoved: (nodeId: string) => void;
}

export function RemovePeerDialog({ token, peer, onClose, onRemoved }: RemovePeerDialogProps) {
  const queryClient = useQueryClient();
  const mutation = useMutation({
    mutationFn: (id: string) => removePeer(token, id),
    onSuccess: (_, id) => {
      void queryClient.invalidateQueries({ queryKey: RAFT_KEY });
      onRemoved(id);
    },
  });
  const close = () => {
    mutation.reset();
    onClose();
  };
  return (
    <ConfirmDialog
      key={peer?.node_id ?? 'none'}
      open={peer !== null}
      danger
      title={`Remove peer ${peer?.node_id ?? ''}?`}
      body={
        <ul className="list-disc space-y-1 pl-5">
          <li>
            <span className="font-mono">{peer?.node_id}</span> ({peer?.address}) leaves the raft cluster{peer?.voter ? ' and stops counting towards quorum' : ''}.
          </li>
          {peer?.leader ? <li className="font-medium text-red-800">This is the leader: another node takes over first.</li> : null}
          <li>The removed node keeps its copy of the data but refuses to serve as part of this cluster again.</li>
        </ul>
      }
      confirmText={peer?.node_id}
      confirmLabel="Remove peer"
      onConfirm={() => peer && mutation.mutate(peer.node_id)}
      onCancel={close}
      pending={mutation.isPending}
      error={mutation.error}
    />
  );
}
