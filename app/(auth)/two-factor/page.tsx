import { SignOutEverywhere } from '@/components/auth/sign-out-everywhere';
import { TotpEnrolment } from '@/components/auth/totp-enrolment';
import { requirePageUser } from '@/server/auth/session';
import { twoFactorStatus } from '@/server/services/two-factor';
import { beginTotpEnrolmentAction, confirmTotpEnrolmentAction, signOutEverywhereAction } from './actions';

export const metadata = { title: 'Two-step sign-in and sessions' };

// Outside the console layout on purpose: an admin who must enrol first can reach nothing else.
export default async function TwoFactorPage() {
  const user = await requirePageUser('viewer', { duringTotpEnrolment: true });
  const status = twoFactorStatus(user);
  return (
    <>
      <h1 className="mb-4 text-xl font-semibold">Two-step sign-in</h1>
      <TotpEnrolment status={status} actions={{ begin: beginTotpEnrolmentAction, confirm: confirmTotpEnrolmentAction }} />
      <SignOutEverywhere action={signOutEverywhereAction} />
    </>
  );
}
