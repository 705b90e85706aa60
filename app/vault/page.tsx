import { redirect } from 'next/navigation';

// /ui/vault: the frame sends signed-out visitors on to sign in.
export default function VaultIndex() {
  redirect('/vault/secrets');
}
