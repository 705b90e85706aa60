// ACL policy names (`GET sys/policies/acl?list=true` → data.keys).
import { queryOptions } from '@tanstack/react-query';
import type { ListResponse } from '@/lib/types/vault-response';
import { ApiError } from './api-error';
import { vaultFetch } from './client';

export const aclPoliciesQuery = (token: string) =>
  queryOptions({
    queryKey: ['sys', 'policies', 'acl'],
    queryFn: async ({ signal }) => {
      try {
        const res = await vaultFetch<ListResponse>('sys/policies/acl?list=true', { token, signal });
        return [...(res.data?.keys ?? [])].sort((a, b) => a.localeCompare(b));
      } catch (err) {
        // Vault answers an empty list with 404 {"errors":[]}.
        if (err instanceof ApiError && err.status === 404 && err.errors.length === 0) return [];
        throw err;
      }
    },
  });
