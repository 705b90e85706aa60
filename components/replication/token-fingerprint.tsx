'use client';
// "Token fingerprint: ab12…9f0e" — shown on the primary's copy screen and on
// the secondary's enable form, so two admins can confirm by voice that the
// token pasted is the token issued (the seeds' "multiple eyes").
import { useEffect, useState } from 'react';
import { tokenFingerprint } from '@/lib/api/replication-token';

export function TokenFingerprint({ token }: { token: string }) {
  const [fp, setFp] = useState<{ token: string; value: string } | null>(null);
  useEffect(() => {
    if (!token.trim()) return;
    let live = true;
    tokenFingerprint(token).then(
      (value) => live && setFp({ token, value }),
      () => live && setFp({ token, value: 'unavailable' }),
    );
    return () => {
      live = false;
    };
  }, [token]);
  const value = fp && fp.token === token ? fp.value : '…';
  return (
    <p className="mt-2 text-sm text-gray-700" data-testid="token-fingerprint">
      Token fingerprint: <span className="inline-block min-w-[9ch] font-mono font-semibold text-gray-900">{value}</span>
    </p>
  );
}
