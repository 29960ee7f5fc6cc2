/** One preflight check's answer (docs/preflight.md). `unknown`: the check could not run; never read as a pass. */
export type PreflightStatus = 'pass' | 'warn' | 'fail' | 'unknown';

export type PreflightCheckDto = {
  id: PreflightCheckId;
  title: string;
  status: PreflightStatus;
  /** What was found, in plain words. */
  summary: string;
  /** What to do about it; null on a pass. */
  fix: string | null;
  /** The measured figures behind the answer (bytes, seconds, ports, versions). */
  figures: Record<string, number | string | boolean | null>;
};

export type PreflightCheckId = 'docker-version' | 'memory' | 'disk' | 'ports' | 'docker-socket' | 'clock' | 'letsencrypt-dns';

export type PreflightDto = {
  checkedAt: string;
  /** The worst status of the checks: fail > unknown > warn > pass. */
  status: PreflightStatus;
  checks: PreflightCheckDto[];
  /** The ids of the failing checks: a deploy, update or rollback starts only with an override. */
  failing: PreflightCheckId[];
};
