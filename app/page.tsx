import { SessionRedirect } from '@/components/auth/session-redirect';

export default function IndexPage() {
  return <SessionRedirect />;
}
