'use client';
// "Download snapshot": GET sys/storage/raft/snapshot, saved by the browser
// under a name that says which cluster and when.
import { useMutation } from '@tanstack/react-query';
import { SECONDARY_BUTTON } from '@/components/replication/form-styles';
import { fetchSnapshot, snapshotFileName } from '@/lib/api/raft';

export function useSnapshotDownload(token: string, cluster: string | undefined) {
  return useMutation({
    mutationFn: async () => {
      const blob = await fetchSnapshot(token);
      const url = URL.createObjectURL(blob);
      const a = document.createElement('a');
      a.href = url;
      a.download = snapshotFileName(cluster, new Date());
      document.body.appendChild(a);
      a.click();
      a.remove();
      // The download has the bytes once click() returned; the URL is not needed after.
      setTimeout(() => URL.revokeObjectURL(url), 0);
      return blob.size;
    },
  });
}

export function DownloadSnapshotButton({ download }: { download: ReturnType<typeof useSnapshotDownload> }) {
  return (
    <button type="button" onClick={() => download.mutate()} disabled={download.isPending} aria-busy={download.isPending} className={SECONDARY_BUTTON}>
      <span aria-hidden="true">⤓</span>
      {download.isPending ? 'Preparing snapshot…' : 'Download snapshot'}
    </button>
  );
}
