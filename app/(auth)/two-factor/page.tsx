import { ChangePassword } from '@/components/auth/change-password';
import { SignOutEverywhere } from '@/components/auth/sign-out-everywhere';
import { TotpEnrolment } from '@/components/auth/totp-enrolment';
import { requirePageUser } from '@/server/auth/session';
import { runtime } from '@/server/runtime';
import { twoFactorStatus } from '@/server/services/two-factor';
import { beginTotpEnrolmentAction, changeOwnPasswordAction, confirmTotpEnrolmentAction, signOutEverywhereAction } from './actions';

export const metadata = { title: 'Account & security' };

// Outside the console layout on purpose: an admin who must enrol first can reach nothing else.
// The URL stays /two-factor: the enrol-first gate and bookmarks send people here.
export default async function TwoFactorPage() {
  const user = await requirePageUser('viewer', { duringTotpEnrolment: true });
  const status = twoFactorStatus(runtime(), user);
  return (
    <>
      <h1 className="mb-1 text-xl font-semibold">Account & security</h1>
      <p className="mb-4 truncate text-sm text-zinc-500">{user.email}</p>
      <h2 className="mb-3 font-medium">Two-step sign-in</h2>
      <TotpEnrolment status={status} actions={{ begin: beginTotpEnrolmentAction, confirm: confirmTotpEnrolmentAction }} />
      <ChangePassword action={changeOwnPasswordAction} />
      <SignOutEverywhere action={signOutEverywhereAction} />
    </>
  );
}
