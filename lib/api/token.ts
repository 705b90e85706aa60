// The signed-in frame re-checks its token with lookup-self; a 403 means the
// token is gone (revoked, expired, wrong) and the user must sign in again.
import { queryOptions } from '@tanstack/react-query';
import { lookupSelf } from './sign-in';

export const lookupSelfQuery = (token: string) =>
  queryOptions({
    queryKey: ['auth', 'token', 'lookup-self'],
    queryFn: ({ signal }) => lookupSelf(token, signal).then((r) => r.data),
    staleTime: 60_000,
  });
