'use client';
// "Generate a secondary" (§7.6 Add): Secondary ID and an optional TTL, then
// the token in a "Copy your token" dialog that only closes once copied.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useState, type FormEvent } from 'react';
import { REPLICATION_STATUS_KEY } from '@/lib/api/replication';
import { generateSecondaryToken } from '@/lib/api/replication-actions';
import type { ReplicationKind } from '@/lib/types/replication';
import { useToken } from '@/components/shell/use-token';
import { ApiErrorAlert } from './api-error-alert';
import { CopyTokenDialog } from './copy-token-dialog';
import { Field } from './field';
import { INPUT_CLASS, PRIMARY_BUTTON, SECONDARY_BUTTON } from './form-styles';
import { DEFAULT_TTL, TtlSwitch, ttlParam, type TtlValue } from './ttl-switch';

export function AddSecondaryForm({ kind }: { kind: ReplicationKind }) {
  const token = useToken();
  const router = useRouter();
  const queryClient = useQueryClient();
  const [id, setId] = useState('');
  const [ttl, setTtl] = useState<TtlValue>(DEFAULT_TTL);
  const generate = useMutation({ mutationFn: () => generateSecondaryToken(kind, token, { id, ttl: ttlParam(ttl) }) });
  const listHref = `/vault/replication/${kind}/secondaries`;
  const ttlInvalid = ttl.enabled && ttlParam(ttl) === undefined;

  function onSubmit(e: FormEvent) {
    e.preventDefault();
    if (!id.trim() || ttlInvalid || generate.isPending) return;
    generate.mutate();
  }

  return (
    <section aria-labelledby="generate-heading" className="max-w-xl">
      <h2 id="generate-heading" className="text-lg font-semibold text-gray-900">
        Generate a secondary
      </h2>
      <p className="mt-1 text-sm text-gray-600">
        Generate a secondary token: a one-time activation token that a secondary cluster uses to connect to this primary.
      </p>
      <form onSubmit={onSubmit} noValidate className="mt-6 space-y-6">
        <Field label="Secondary ID" help="This will be used to identify a secondary cluster once a connection has been established with the primary.">
          {(c) => <input {...c} type="text" spellCheck={false} autoComplete="off" value={id} onChange={(e) => setId(e.target.value)} className={`${INPUT_CLASS} font-mono`} />}
        </Field>
        <TtlSwitch label="Time to Live (TTL) for generated secondary token" value={ttl} onChange={setTtl} />
        <ApiErrorAlert error={generate.error} prefix="Could not generate a token:" />
        <div className="flex gap-3">
          <button type="submit" disabled={!id.trim() || ttlInvalid || generate.isPending} aria-busy={generate.isPending} className={PRIMARY_BUTTON}>
            Generate token
          </button>
          <Link href={`/vault/replication/${kind}`} className={SECONDARY_BUTTON}>
            Cancel
          </Link>
        </div>
      </form>
      <CopyTokenDialog
        kind={kind}
        generated={generate.data ?? null}
        onClosed={() => {
          generate.reset();
          void queryClient.invalidateQueries({ queryKey: REPLICATION_STATUS_KEY });
          router.push(listHref);
        }}
      />
    </section>
  );
}
