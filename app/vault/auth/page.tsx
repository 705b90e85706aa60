import type { Metadata } from 'next';
import { AuthScreen } from '@/components/auth/auth-screen';
import { SignInForm } from '@/components/auth/sign-in-form';

export const metadata: Metadata = { title: 'Sign in' };

export default function AuthPage() {
  return (
    <AuthScreen>
      <SignInForm />
    </AuthScreen>
  );
}
