import type { Check, CheckResult } from './types';

// The console's clock against the Docker Engine's (docker info SystemTime). On one host they share
// the kernel's clock, so a difference means the console and the engine are on different machines
// (DOCKER_HOST over TCP) or a clock jumped; certificates, TOTP codes and the backup schedule all
// depend on it. Measured with the round trip counted against it, so a slow answer is no skew.

export const CLOCK_WARN_SECONDS = 5;

export function decideClock(skewMs: number, roundTripMs: number): CheckResult {
  const skew = Math.max(0, Math.abs(skewMs) - roundTripMs) / 1000;
  const figures = { skewSeconds: Math.round(skewMs / 100) / 10, roundTripMs, warnAboveSeconds: CLOCK_WARN_SECONDS };
  if (skew > CLOCK_WARN_SECONDS) {
    return {
      status: 'warn',
      summary: `The console's clock and the Docker Engine's differ by ${figures.skewSeconds} s.`,
      fix: 'Keep the host clock synchronised (systemd-timesyncd or chrony: `timedatectl set-ntp true`).',
      figures,
    };
  }
  return { status: 'pass', summary: `The console's clock and the Docker Engine's agree (${figures.skewSeconds} s apart).`, fix: null, figures };
}

export const clockCheck: Check = {
  id: 'clock',
  title: 'Clock',
  run: async (port) => {
    const before = port.now().getTime();
    const e = await port.engine();
    const after = port.now().getTime();
    return decideClock(e.systemTime.getTime() - (before + after) / 2, after - before);
  },
};
