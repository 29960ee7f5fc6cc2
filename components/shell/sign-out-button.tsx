'use client';
import { useState } from 'react';
import { signOut } from 'next-auth/react';
import { Button } from '@/components/ui/button';

const ATTEMPTS = 3;

export function SignOutButton() {
  const [busy, setBusy] = useState(false);
  return (
    <Button
      variant="ghost"
      busy={busy}
      onClick={async () => {
        setBusy(true);
        // Signing out is idempotent, so it is sent again after a dropped fetch: Chromium fails
        // requests in flight whenever Docker adds or removes a network (ERR_NETWORK_CHANGED, seen
        // in CI on /api/auth/csrf and /api/auth/signout), and the click then did nothing.
        for (let attempt = 1; ; attempt++) {
          try {
            await signOut({ redirect: false });
            break;
          } catch (err) {
            if (attempt >= ATTEMPTS) {
              setBusy(false);
              throw err;
            }
            await new Promise((resolve) => setTimeout(resolve, 1000));
          }
        }
        window.location.assign('/login');
      }}
    >
      Sign out
    </Button>
  );
}
