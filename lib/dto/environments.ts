import type { Role } from '../roles';
import type { EnvironmentColour } from '../schemas/environments';

// Environments and the fleet as pages and the API see them (docs/environments.md). No DTO carries
// a private key: the key lives in a 0600 file and only the transport reads it.

export type HostKeyDto = { algorithm: string; fingerprint: string };

export type EnvironmentDto = {
  id: string;
  name: string;
  colour: EnvironmentColour;
  kind: 'local' | 'ssh' | 'tcp';
  /** Marked production: its pages carry a badge that cannot be missed. */
  production: boolean;
  /** `ssh://user@host:port`, `tcp://host:port`, or null for the local socket. */
  endpoint: string | null;
  /** The deployment directory: on the host for SSH, on the console's side for TCP. */
  deployDir: string;
  /** SSH: the confirmed host key. TCP: the trusted CA certificate's SHA-256 fingerprint (algorithm 'x509-ca'). */
  hostKey: HostKeyDto | null;
  createdAt: string | null;
  createdBy: string | null;
};

/**
 * The shell's view of an environment (its header, switcher and role badge): nothing of its
 * endpoint, and the signed-in user's effective role there (a grant replaces the console-wide role
 * in that environment: docs/environments.md#roles-per-environment).
 */
export type ShellEnvironmentDto = Pick<EnvironmentDto, 'id' | 'name' | 'colour' | 'kind' | 'production'> & { role: Role };

/** Step 1's answer: the key the host presents, for the admin to confirm. */
export type EnvironmentScanDto = { endpoint: string; hostKey: HostKeyDto };

export type FleetServiceDto = {
  service: string;
  /** The CLI's status word of the live container ('healthy', 'unhealthy', 'stopped', 'not deployed', …). */
  status: string;
  version: string | null;
};

export type FleetProbeDto =
  | {
      reachable: true;
      initialised: boolean;
      projectId: string | null;
      activeColor: string | null;
      activeVersion: string | null;
      services: FleetServiceDto[];
      /** Why the stack could not be read although the host answered (no tale.json, …). */
      message: string | null;
    }
  | { reachable: false; code: string; message: string };

export type FleetEnvironmentDto = {
  environment: Pick<EnvironmentDto, 'id' | 'name' | 'colour' | 'kind' | 'endpoint' | 'deployDir'>;
  probe: FleetProbeDto;
  /** How long this environment's probe took (the deadline when it did not answer). */
  durationMs: number;
  /** When `probe` was read: now for a live probe, earlier for a remote runtime's kept snapshot. */
  checkedAt: string;
  /** How old `probe` was when the fleet answered (never more than the fleet's maxAgeMs). */
  ageMs: number;
  /** What this console recorded for the environment (its operations rows and alerts). */
  records: {
    running: { id: string; kind: string; purpose: string } | null;
    lastBackup: { operationId: string; finishedAt: string } | null;
    /** Alert events raised in the last 24 hours. */
    alertsLast24h: number;
  };
};

export type FleetDto = {
  environments: FleetEnvironmentDto[];
  deadlineMs: number;
  /** The oldest snapshot the fleet shows; an older one is read from the host again. */
  maxAgeMs: number;
  checkedAt: string;
  durationMs: number;
};
