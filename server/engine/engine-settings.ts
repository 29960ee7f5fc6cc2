// The CLI's tunables (docs/tale-cli.md#deployment-knobs), read from the project's .env rather than process.env: the
// engine serves one deployment directory and must agree with what `tale deploy` would use there.

export interface EngineSettings {
  healthCheckTimeoutSeconds: number;
  drainTimeoutSeconds: number;
  /** How often the health gate inspects containers. */
  healthPollMs: number;
  /**
   * How long a container may stay unhealthy before that fails the deploy. Docker turns it healthy
   * again on one passing probe, and a loaded host can miss two 3 s probes in a row (rag and
   * crawler have retries 2), so an unhealthy moment alone is no verdict. The candidate is not in
   * rotation while it waits, so the grace costs users nothing.
   */
  unhealthyGraceMs: number;
  /** Log lines attached to a health failure. */
  failureLogLines: number;
}

const DEFAULTS: EngineSettings = {
  healthCheckTimeoutSeconds: 300,
  drainTimeoutSeconds: 30,
  healthPollMs: 1000,
  unhealthyGraceMs: 15_000,
  failureLogLines: 50,
};

/** Like the CLI: anything but a non-negative integer falls back to the default. */
function intOr(value: string | undefined, fallback: number): number {
  if (value === undefined || !/^\s*\d+\s*$/.test(value)) return fallback;
  return Number.parseInt(value, 10);
}

export function engineSettings(env: Record<string, string>, overrides: Partial<EngineSettings> = {}): EngineSettings {
  return {
    ...DEFAULTS,
    healthCheckTimeoutSeconds: intOr(env.HEALTH_CHECK_TIMEOUT, DEFAULTS.healthCheckTimeoutSeconds),
    drainTimeoutSeconds: intOr(env.DRAIN_TIMEOUT, DEFAULTS.drainTimeoutSeconds),
    ...overrides,
  };
}
