import { z } from 'zod';
import { promotionInputSchema } from '@/lib/schemas/promotion';
import { auditFilterSchema } from '@/lib/schemas/audit';
import { emptyBodySchema, versionsQuerySchema } from '@/lib/schemas/api';
import { ROLES } from '@/lib/roles';
import { deployInputSchema, HISTORY_OUTCOMES, rollbackInputSchema } from '@/lib/schemas/operations';
import { freshRepositorySchema, freshRestoreSchema } from '@/lib/schemas/fresh-restore';
import { backupScheduleSchema, checkInputSchema, drillInputSchema, projectFilesRestoreBodySchema, restoreInputSchema, startBackupInputSchema } from '@/lib/schemas/backups';
import { alertChannelInputSchema, alertDeliveriesQuerySchema } from '@/lib/schemas/alerts';
import { ALERT_EVENTS } from '@/lib/alerts/events';
import { prePullSettingSchema } from '@/lib/schemas/pre-pull';
import { pruneImagesInputSchema } from '@/lib/schemas/disk';
import { healthHistoryQuerySchema } from '@/lib/schemas/health';
import { environmentRoleBodySchema } from '@/lib/schemas/environment-roles';
import { addAnyEnvironmentInputSchema, ENVIRONMENT_COLOURS, LOCAL_ENVIRONMENT_ID, removeEnvironmentBodySchema, scanEnvironmentInputSchema } from '@/lib/schemas/environments';
import { MAX_JSON_BODY_BYTES } from '../http/api-request';

// The OpenAPI 3.1 description of /api/v1. Request bodies and query parameters come from the same
// zod schemas the routes parse with, so the document cannot promise what the server refuses.
// Response shapes are written out here from the DTO types in lib/dto.

type JsonSchema = Record<string, unknown>;

/** A zod schema as the JSON Schema of what clients send (defaults make fields optional). */
const input = (schema: z.ZodType): JsonSchema => {
  const out = z.toJSONSchema(schema, { io: 'input', target: 'draft-2020-12' }) as JsonSchema;
  delete out.$schema; // OpenAPI 3.1's dialect is already 2020-12
  return out;
};

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const str = { type: 'string' };
const nullableStr = { type: ['string', 'null'] };
const role = { type: 'string', enum: [...ROLES] };

const schemas: Record<string, JsonSchema> = {
  Error: {
    type: 'object',
    required: ['code', 'message'],
    properties: { code: str, message: str, fieldErrors: { type: 'object', additionalProperties: { type: 'array', items: str } } },
  },
  Me: { type: 'object', required: ['id', 'email', 'name', 'role'], properties: { id: str, email: str, name: str, role } },
  Operation: {
    type: 'object',
    required: ['id', 'environmentId', 'kind', 'status', 'params', 'actor', 'createdAt', 'finishedAt', 'error', 'result'],
    properties: {
      id: { type: 'string', format: 'uuid' },
      environmentId: { type: 'string', description: 'The environment it ran on (`local` or an environment’s id); it is found only with that `env`' },
      kind: str,
      status: { type: 'string', enum: [...HISTORY_OUTCOMES] },
      params: { type: 'object' },
      purpose: { type: 'string', description: 'What the operation was for, in words: "Upgrade 1.0.0 → 1.1.0", "Rollback to 1.0.0", "Apply settings: TLS_MODE, BASE_PATH", "Backup"' },
      actor: nullableStr,
      createdAt: { type: 'string', format: 'date-time' },
      finishedAt: { type: ['string', 'null'], format: 'date-time' },
      error: { type: ['object', 'null'], properties: { code: str, message: str } },
      result: { type: ['object', 'null'] },
    },
  },
  OperationList: { type: 'object', required: ['operations'], properties: { operations: { type: 'array', items: ref('Operation') } } },
  Status: {
    type: 'object',
    required: ['initialised', 'activeColor', 'activeVersion', 'previousVersion', 'containers', 'warnings', 'running', 'engine'],
    properties: {
      initialised: { type: 'boolean' },
      activeColor: { type: ['string', 'null'], enum: ['blue', 'green', null] },
      activeVersion: nullableStr,
      previousVersion: nullableStr,
      containers: {
        type: 'array',
        items: {
          type: 'object',
          properties: {
            service: str,
            color: { type: ['string', 'null'] },
            name: str,
            status: str,
            health: nullableStr,
            version: nullableStr,
            digest: nullableStr,
            startedAt: nullableStr,
            restartCount: { type: ['integer', 'null'] },
            active: { type: 'boolean' },
          },
        },
      },
      warnings: { type: 'array', items: str },
      running: { oneOf: [ref('Operation'), { type: 'null' }] },
      engine: { type: 'object', required: ['reachable'], properties: { reachable: { type: 'boolean' }, version: str, message: str } },
    },
  },
  Versions: {
    type: 'object',
    required: ['registry', 'versions', 'unchecked', 'error'],
    properties: {
      registry: str,
      versions: {
        type: 'array',
        items: {
          type: 'object',
          required: ['version', 'available', 'missing', 'failedHere'],
          properties: {
            version: str,
            available: { type: 'boolean' },
            missing: { type: 'array', items: str },
            failedHere: {
              type: ['object', 'null'],
              required: ['operationId', 'at', 'code', 'message'],
              properties: { operationId: { type: 'string', format: 'uuid' }, at: { type: 'string', format: 'date-time' }, code: str, message: str },
              description: 'Set when a deploy of this release failed its health gate on this host and none succeeded since: the failed operation. Deploying it again needs "retryFailedRelease": true.',
            },
          },
        },
      },
      unchecked: { type: 'array', items: str },
      error: { type: ['object', 'null'], properties: { code: str, message: str }, description: 'Set when the registry could not be asked' },
    },
  },
  AuditEvents: { type: 'object', required: ['events'], properties: { events: { type: 'array', items: ref('AuditEvent') } } },
  // Mirrors AuditEventDto; the repeat fields say how many identical refusals were counted on the row.
  AuditEvent: {
    type: 'object',
    required: ['id', 'at', 'actor', 'action', 'target', 'params', 'sourceIp', 'outcome', 'message', 'repeatCount', 'lastRepeatAt'],
    properties: {
      id: { type: 'integer' },
      at: { type: 'string', format: 'date-time' },
      actor: { type: ['string', 'null'] },
      action: { type: 'string' },
      target: { type: ['string', 'null'] },
      params: { type: ['string', 'null'], description: 'JSON, secrets redacted' },
      sourceIp: { type: ['string', 'null'] },
      outcome: { type: 'string', enum: ['success', 'failure', 'denied'] },
      message: { type: ['string', 'null'] },
      repeatCount: { type: 'integer', minimum: 0, description: 'How many more times the same refusal came from the same address, counted here instead of added as rows' },
      lastRepeatAt: { type: ['string', 'null'], format: 'date-time' },
    },
  },
  // Mirrors FreshHostBackupsDto (lib/dto/fresh-restore.ts).
  FreshHostBackups: {
    type: 'object',
    required: ['status'],
    properties: {
      status: { type: 'string', enum: ['confirm-host-key', 'listed'], description: '`confirm-host-key`: an SFTP server seen for the first time; ask again with `acceptHostKey` set to `fingerprint` once compared' },
      host: str,
      port: { type: 'integer' },
      fingerprint: str,
      keyType: str,
      location: str,
      backups: {
        type: 'array',
        description: 'Every complete backup of the repository, of any project, newest first',
        items: {
          type: 'object',
          required: ['id', 'time', 'readable'],
          properties: { id: str, time: { type: 'string', format: 'date-time' }, readable: { type: 'boolean' }, backup: ref('Backup'), code: str, message: { type: 'string', description: 'Why the manifest cannot be read (readable: false)' } },
        },
      },
    },
  },
  // Mirrors BackupListDto (lib/dto/backups.ts).
  BackupList: {
    type: 'object',
    required: ['repository', 'backups'],
    properties: {
      repository: { type: 'object', required: ['location', 'initialised'], properties: { location: str, initialised: { type: 'boolean' } } },
      backups: { type: 'array', items: ref('Backup') },
    },
  },
  Backup: {
    type: 'object',
    required: ['id', 'backupId', 'projectId', 'kind', 'startedBy', 'startedAt', 'finishedAt', 'durationMs', 'bytes', 'dataAdded', 'consistency', 'release', 'databases', 'volumes', 'projectFiles', 'drill'],
    properties: {
      id: { type: 'string', description: 'The id a restore names (the snapshot of the backup’s manifest)' },
      backupId: { type: 'string', format: 'uuid' },
      projectId: str,
      kind: { type: 'string', enum: ['manual', 'scheduled'] },
      startedBy: nullableStr,
      startedAt: { type: 'string', format: 'date-time' },
      finishedAt: { type: 'string', format: 'date-time' },
      durationMs: { type: 'integer' },
      bytes: { type: 'integer', description: 'Bytes streamed into the repository' },
      dataAdded: { type: 'integer', description: 'What the repository grew by, after deduplication and compression' },
      consistency: str,
      release: { type: ['object', 'null'], properties: { version: str, digests: { type: 'object', additionalProperties: str }, color: nullableStr, at: str } },
      databases: {
        type: 'array',
        items: {
          type: 'object',
          properties: {
            name: str,
            snapshotId: str,
            bytes: { type: 'integer' },
            dataAdded: { type: 'integer' },
            tables: { type: 'array', items: { type: 'object', properties: { schema: str, table: str, rows: { type: 'integer' } } } },
          },
        },
      },
      volumes: { type: 'array', items: { type: 'object', properties: { key: str, name: str, snapshotId: str, bytes: { type: 'integer' }, dataAdded: { type: 'integer' } } } },
      projectFiles: { type: 'object', properties: { snapshotId: str, bytes: { type: 'integer' }, files: { type: 'array', items: str } } },
      drill: { oneOf: [ref('Drill'), { type: 'null' }], description: 'The latest restore drill of this backup on this console' },
    },
  },
  // Mirrors DrillDto, DrillListDto, BackupHealthDto and BackupScheduleDto (lib/dto/backups.ts).
  Drill: {
    type: 'object',
    required: ['operationId', 'snapshot', 'backupId', 'backupStartedAt', 'status', 'actor', 'startedAt', 'finishedAt', 'durationMs', 'tables', 'error'],
    properties: {
      operationId: { type: 'string', format: 'uuid' },
      snapshot: { type: 'string', description: 'The drilled backup’s id as it was named (a snapshot id or a prefix of one)' },
      backupId: { type: 'string', format: 'uuid' },
      backupStartedAt: { type: ['string', 'null'], format: 'date-time' },
      status: { type: 'string', enum: ['running', 'passed', 'failed', 'cancelled', 'interrupted'] },
      actor: { type: ['string', 'null'], description: 'null: the schedule' },
      startedAt: { type: 'string', format: 'date-time' },
      finishedAt: { type: ['string', 'null'], format: 'date-time' },
      durationMs: { type: ['integer', 'null'] },
      tables: { type: ['integer', 'null'] },
      error: { type: ['object', 'null'], properties: { code: str, message: { type: 'string', description: 'On DRILL_ROWS_DIFFER: each table that differs, with both row counts' } } },
    },
  },
  DrillList: {
    type: 'object',
    required: ['drills', 'health'],
    properties: {
      drills: { type: 'array', items: ref('Drill') },
      health: {
        type: 'object',
        required: ['lastBackupAt', 'lastProvenAt', 'failedDrill'],
        properties: { lastBackupAt: { type: ['string', 'null'], format: 'date-time' }, lastProvenAt: { type: ['string', 'null'], format: 'date-time' }, failedDrill: { oneOf: [ref('Drill'), { type: 'null' }] } },
      },
    },
  },
  HealthIncident: {
    type: 'object',
    required: ['id', 'at', 'until', 'kind', 'container', 'service', 'color', 'state', 'exitCode', 'health', 'signal', 'reconciled'],
    properties: {
      id: { type: 'integer' },
      at: { type: 'string', format: 'date-time' },
      until: { type: ['string', 'null'], format: 'date-time', description: 'Only for a gap: when watching resumed' },
      kind: { type: 'string', enum: ['health', 'die', 'kill', 'oom', 'start', 'restart', 'stop', 'gap'], description: 'A gap is a span in which the watcher did not listen (console or Docker Engine down)' },
      container: nullableStr,
      service: nullableStr,
      color: { type: ['string', 'null'], enum: ['blue', 'green', null] },
      state: { type: ['string', 'null'], enum: ['up', 'unhealthy', 'down', null], description: 'The container’s state after the change' },
      exitCode: { type: ['integer', 'null'] },
      health: nullableStr,
      signal: nullableStr,
      reconciled: { type: 'boolean', description: 'Found by comparing Docker’s containers with the last known state after a gap' },
    },
  },
  HealthHistory: {
    type: 'object',
    required: ['range', 'from', 'to', 'uptime', 'series', 'incidents', 'watcher'],
    properties: {
      range: { type: 'string', enum: ['1h', '24h', '7d', '30d'] },
      from: { type: 'string', format: 'date-time' },
      to: { type: 'string', format: 'date-time' },
      uptime: {
        type: 'object',
        description: 'The last 24 hours in 30 min cells: milliseconds up, unhealthy, down and unknown (a gap) per cell',
        properties: {
          from: { type: 'string', format: 'date-time' },
          bucketSeconds: { type: 'integer' },
          services: {
            type: 'array',
            items: {
              type: 'object',
              properties: {
                service: str,
                uptimePercent: { type: ['number', 'null'] },
                buckets: { type: 'array', items: { type: 'object', properties: { start: str, up: { type: 'number' }, unhealthy: { type: 'number' }, down: { type: 'number' }, unknown: { type: 'number' } } } },
              },
            },
          },
        },
      },
      series: {
        type: 'object',
        description: 'CPU (percent of one core) and memory (bytes) per service, summed over its containers; null where nothing was read',
        properties: {
          bucketSeconds: { type: 'integer' },
          points: {
            type: 'array',
            items: { type: 'object', properties: { at: str, cpu: { type: 'object', additionalProperties: { type: ['number', 'null'] } }, memory: { type: 'object', additionalProperties: { type: ['number', 'null'] } } } },
          },
        },
      },
      incidents: { type: 'array', items: ref('HealthIncident'), description: 'Newest first, at most 200' },
      watcher: { type: 'object', properties: { enabled: { type: 'boolean' }, listening: { type: 'boolean' }, lastHeartbeat: { type: ['string', 'null'], format: 'date-time' } } },
    },
  },
  BackupScheduleState: {
    type: 'object',
    required: ['schedule', 'nextRunAt', 'lastRunAt', 'updatedBy', 'updatedAt'],
    properties: {
      schedule: ref('BackupSchedule'),
      nextRunAt: { type: ['string', 'null'], format: 'date-time' },
      lastRunAt: { type: ['string', 'null'], format: 'date-time' },
      updatedBy: nullableStr,
      updatedAt: { type: ['string', 'null'], format: 'date-time' },
    },
  },
  BackupSchedule: input(backupScheduleSchema),
  // Mirrors PrePullStatusDto (lib/dto/pre-pull.ts).
  PrePullStatus: {
    type: 'object',
    required: ['enabled', 'intervalMinutes', 'state', 'version', 'progress', 'bytes', 'operationId', 'finishedAt', 'error', 'lastCheck', 'updatedBy', 'updatedAt'],
    properties: {
      enabled: { type: 'boolean' },
      intervalMinutes: { type: 'integer' },
      state: { type: 'string', enum: ['off', 'idle', 'pulling', 'ready', 'failed'] },
      version: { type: ['string', 'null'], description: 'The release pulled, being pulled or that failed to pull' },
      progress: { type: ['number', 'null'], description: '0 to 1 while pulling' },
      bytes: { type: ['integer', 'null'], description: 'Disk cost: how much the pull grew Docker’s layer storage (docker system df LayersSize after minus before), i.e. the new layers not shared with images already here' },
      operationId: { type: ['string', 'null'], format: 'uuid' },
      finishedAt: { type: ['string', 'null'], format: 'date-time' },
      error: { type: ['object', 'null'], properties: { code: str, message: str } },
      lastCheck: { type: ['object', 'null'], properties: { at: { type: 'string', format: 'date-time' }, outcome: str } },
      updatedBy: nullableStr,
      updatedAt: { type: ['string', 'null'], format: 'date-time' },
    },
  },
  PrePullSetting: input(prePullSettingSchema),
  DrillInput: input(drillInputSchema),
  CheckInput: input(checkInputSchema),
  StartBackupInput: input(startBackupInputSchema),
  RestoreInput: input(restoreInputSchema),
  FreshRepositoryInput: input(freshRepositorySchema),
  FreshRestoreInput: input(freshRestoreSchema),
  PreflightCheck: {
    type: 'object',
    required: ['id', 'title', 'status', 'summary', 'fix', 'figures'],
    properties: {
      id: { type: 'string', enum: ['docker-version', 'memory', 'disk', 'ports', 'docker-socket', 'clock', 'letsencrypt-dns'] },
      title: str,
      status: { type: 'string', enum: ['pass', 'warn', 'fail', 'unknown'], description: '`unknown`: the check could not run (e.g. no permission to read a figure); never counted as a pass' },
      summary: { type: 'string', description: 'What was found, in words' },
      fix: { ...nullableStr, description: 'What to do about it; null on a pass' },
      figures: { type: 'object', description: 'The measured figures behind the answer (bytes, seconds, ports, versions)' },
    },
  },
  Preflight: {
    type: 'object',
    required: ['checkedAt', 'status', 'checks', 'failing'],
    properties: {
      checkedAt: { type: 'string', format: 'date-time' },
      status: { type: 'string', enum: ['pass', 'warn', 'fail', 'unknown'], description: 'The worst of the checks: fail > unknown > warn > pass' },
      checks: { type: 'array', items: ref('PreflightCheck') },
      failing: { type: 'array', items: str, description: 'The failing checks: a deploy, update or rollback starts only with "overridePreflight"' },
    },
  },
  ProjectFilesRestoreBody: input(projectFilesRestoreBodySchema),
  DeployInput: input(deployInputSchema),
  PromotionInput: input(promotionInputSchema),
  RollbackInput: input(rollbackInputSchema),
  EmptyInput: input(emptyBodySchema),
  AlertChannelInput: input(alertChannelInputSchema),
  EnvironmentScanInput: input(scanEnvironmentInputSchema),
  EnvironmentInput: input(addAnyEnvironmentInputSchema),
  EnvironmentRemoveBody: input(removeEnvironmentBodySchema),
  EnvironmentRoleBody: input(environmentRoleBodySchema),
  UserEnvironmentRoles: {
    type: 'object',
    required: ['userId', 'role', 'environments'],
    properties: {
      userId: { type: 'string', format: 'uuid' },
      role: { ...role, description: 'The console-wide role' },
      environments: {
        type: 'array',
        description: 'Every environment, the local one first',
        items: {
          type: 'object',
          required: ['environmentId', 'environmentName', 'grant', 'effective'],
          properties: {
            environmentId: str,
            environmentName: str,
            grant: { type: ['string', 'null'], enum: ['viewer', 'operator', null], description: 'The role granted here; null: the console-wide role applies' },
            effective: { ...role, description: 'The role the user acts with here' },
          },
        },
      },
    },
  },
  HostKey: { type: 'object', required: ['algorithm', 'fingerprint'], properties: { algorithm: str, fingerprint: { type: 'string', description: 'SHA256:… as OpenSSH prints it' } } },
  Environment: {
    type: 'object',
    required: ['id', 'name', 'colour', 'kind', 'production', 'endpoint', 'deployDir', 'hostKey', 'createdAt', 'createdBy'],
    properties: {
      id: { type: 'string', description: '`local` for the console’s own Docker socket and DEPLOY_DIR; the value of `env` on the environment-scoped paths' },
      name: str,
      colour: { type: 'string', enum: [...ENVIRONMENT_COLOURS] },
      kind: { type: 'string', enum: ['local', 'ssh', 'tcp'] },
      production: { type: 'boolean', description: 'Marked production: its pages carry a badge' },
      endpoint: { type: ['string', 'null'], description: 'ssh://user@host:port or tcp://host:port; null for local' },
      deployDir: { type: 'string', description: 'SSH: the directory on the host. TCP: the project directory the console keeps for it under its data directory' },
      hostKey: { oneOf: [ref('HostKey'), { type: 'null' }], description: 'SSH: the confirmed host key. TCP: algorithm x509-ca and the trusted CA certificate’s SHA-256 fingerprint' },
      createdAt: { type: ['string', 'null'], format: 'date-time' },
      createdBy: nullableStr,
    },
  },
  FleetEnvironment: {
    type: 'object',
    required: ['environment', 'probe', 'durationMs', 'checkedAt', 'ageMs', 'records'],
    properties: {
      environment: { type: 'object', description: 'id, name, colour, kind, endpoint, deployDir (as Environment)' },
      probe: {
        type: 'object',
        required: ['reachable'],
        description: 'Reachable: initialised, projectId, activeColor, activeVersion, services [{service, status, version}], message. Unreachable: code (a transport code such as HOST_UNREACHABLE, HOST_KEY_CHANGED, AUTH_FAILED, or TIMEOUT, KEY_MISSING, DOCKER_UNAVAILABLE) and message in words.',
        properties: { reachable: { type: 'boolean' }, code: str, message: nullableStr, activeVersion: nullableStr, services: { type: 'array', items: { type: 'object', properties: { service: str, status: str, version: nullableStr } } } },
      },
      durationMs: { type: 'integer', description: 'How long reading this environment took' },
      checkedAt: { type: 'string', format: 'date-time', description: 'When probe was read: a remote environment’s status is read by its runtime in the background and shown with its age' },
      ageMs: { type: 'integer', description: 'How old probe was when the fleet answered (at most maxAgeMs)' },
      records: { type: 'object', description: 'What this console recorded for the environment: running operation, last successful backup, alert events of the last 24 h' },
    },
  },
  AlertChannel: {
    type: 'object',
    required: ['id', 'name', 'kind', 'enabled', 'events', 'target', 'settings', 'secretSet', 'updatedAt', 'updatedBy'],
    properties: {
      id: { type: 'string', format: 'uuid' },
      name: str,
      kind: { type: 'string', enum: ['webhook', 'slack', 'email'] },
      enabled: { type: 'boolean' },
      events: { type: 'array', items: { type: 'string', enum: [...ALERT_EVENTS] } },
      target: { type: 'string', description: 'webhook: its URL; slack: only the host (the URL is its credential); email: host:port' },
      settings: { type: 'object', description: 'The settings that are not secret' },
      secretSet: { type: 'boolean', description: 'Whether the webhook secret, Slack URL or SMTP password is stored; never returned' },
      updatedAt: { type: 'string', format: 'date-time' },
      updatedBy: nullableStr,
    },
  },
  AlertAttempt: {
    type: 'object',
    required: ['id', 'deliveryId', 'channelId', 'channelName', 'event', 'title', 'test', 'attempt', 'maxAttempts', 'ok', 'retried', 'error', 'at', 'deliveryStatus', 'nextAttemptAt'],
    properties: {
      id: { type: 'integer' },
      deliveryId: { type: 'integer' },
      channelId: str,
      channelName: str,
      event: { type: 'string', enum: [...ALERT_EVENTS] },
      title: str,
      test: { type: 'boolean' },
      attempt: { type: 'integer' },
      maxAttempts: { type: 'integer' },
      ok: { type: 'boolean' },
      retried: { type: 'boolean', description: 'A failed attempt after which the delivery was tried again' },
      error: { ...nullableStr, description: 'What went wrong, in words; never a secret' },
      at: { type: 'string', format: 'date-time' },
      deliveryStatus: { type: 'string', enum: ['pending', 'sent', 'failed'] },
      nextAttemptAt: { type: ['string', 'null'], format: 'date-time' },
    },
  },
  PruneImagesInput: input(pruneImagesInputSchema),
  DiskImage: {
    type: 'object',
    required: ['id', 'names', 'service', 'version', 'size', 'sharedSize', 'uniqueSize', 'created', 'releases', 'containers', 'remove', 'keptBecause'],
    properties: {
      id: str,
      names: { type: 'array', items: str, description: 'Its names in the stack’s repositories (`repo:tag`, or `repo@sha256:…` when pulled by digest)' },
      service: nullableStr,
      version: nullableStr,
      size: { type: 'integer' },
      sharedSize: { type: ['integer', 'null'], description: 'Bytes it shares with other images (Docker’s SharedSize)' },
      uniqueSize: { type: ['integer', 'null'], description: 'size − sharedSize: what removing only this image frees' },
      created: { type: 'string', format: 'date-time' },
      releases: { type: 'array', items: str, description: 'Versions of the release records that ran it' },
      containers: { type: 'array', items: str, description: 'Containers, running or stopped, created from it' },
      remove: { type: 'boolean', description: 'Removed by prune-images' },
      keptBecause: { type: 'array', items: str },
    },
  },
  Disk: {
    type: 'object',
    required: ['projectId', 'registry', 'liveVersion', 'previousVersions', 'images', 'imagesBytes', 'volumes', 'volumesBytes', 'buildCacheBytes', 'plan'],
    properties: {
      projectId: str,
      registry: str,
      liveVersion: nullableStr,
      previousVersions: { type: 'array', items: str },
      images: { type: 'array', items: ref('DiskImage') },
      imagesBytes: { type: 'integer' },
      volumes: { type: 'array', items: { type: 'object', properties: { name: str, size: { type: ['integer', 'null'] }, containers: { type: ['integer', 'null'] } } } },
      volumesBytes: { type: 'integer' },
      buildCacheBytes: { type: ['integer', 'null'] },
      plan: {
        type: 'object',
        required: ['id', 'images', 'freedBytes', 'unknownSizes', 'blocked'],
        properties: {
          id: { type: 'string', description: 'Send it to POST /api/v1/disk/prune-images' },
          images: { type: 'array', items: { type: 'object' } },
          freedBytes: { type: 'integer', description: 'At least this many bytes are freed: the sum of the removed images’ unique sizes' },
          unknownSizes: { type: 'integer' },
          blocked: nullableStr,
        },
      },
    },
  },
};

/** The backup gate, as both deploy and rollback describe it (docs/backups.md#the-backup-gate). */
const GATE =
  'Backup gate: when the live version changes (and on every rollback), the operation first takes a backup of kind `pre-upgrade` (its timeline step `pre-upgrade-backup`, its result `backup`); if that backup fails, the operation fails with PRE_UPGRADE_BACKUP_FAILED before any container changes, its message naming the cause. `"skipBackup": {"reason": "…"}` (at least 10 characters) skips it for this operation; the reason is audited and shown in the timeline. While no backup repository exists (an admin takes the first backup) such a start is refused with 422 BACKUP_GATE_NO_REPOSITORY unless skipped.';

/** The preflight gate, as both deploy and rollback describe it (docs/preflight.md). */
const PREFLIGHT =
  'Preflight: before starting, the server runs the checks of GET /api/v1/preflight; while any fails, the start is refused with 422 PREFLIGHT_FAILED naming the failing checks and nothing changes. `"overridePreflight": {"reason": "…"}` (at least 10 characters) starts anyway; the reason and the failing checks are audited and shown in the timeline (step `preflight`, status `skipped`). A dry run is not checked.';

const json = (schema: JsonSchema) => ({ 'application/json': { schema } });
const error = (description: string) => ({ description, content: json(ref('Error')) });
const denied = {
  401: error('No valid session or API token'),
  403: error(
    'The role does not allow this (FORBIDDEN), a cookie request from another origin (BAD_ORIGIN), or an admin held by "require two-step sign-in for admins" who has not set it up (TOTP_ENROLMENT_REQUIRED, for their API tokens too)',
  ),
  429: {
    ...error('Too many failed API token attempts from this address (TOO_MANY_ATTEMPTS); no token is checked until the lockout ends'),
    headers: { 'Retry-After': { description: 'Seconds until the lockout ends', schema: { type: 'integer' } } },
  },
};
const bodyErrors = {
  400: error('Invalid input (code INVALID_INPUT, with fieldErrors) or malformed JSON (MALFORMED_JSON)'),
  413: error(`Body larger than ${MAX_JSON_BODY_BYTES} bytes`),
  415: error('Body not sent as application/json'),
};
const idParam = { name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } };
const snapshotParam = { name: 'id', in: 'path', required: true, description: 'The backup’s id as listed', schema: { type: 'string', pattern: '^[0-9a-f]{8,64}$' } };

function queryParams(schema: z.ZodObject): unknown[] {
  const props = (input(schema).properties ?? {}) as Record<string, JsonSchema>;
  return Object.entries(props).map(([name, s]) => ({ name, in: 'query', required: false, schema: s }));
}

function start(summary: string, operationId: string, body: string, more: { description?: string; 400?: string } = {}) {
  return {
    post: {
      summary,
      operationId,
      tags: ['operations'],
      description: ['Needs the operator role. The operation runs after the answer; follow it with its events stream.', more.description].filter(Boolean).join(' '),
      requestBody: { required: false, content: json(ref(body)) },
      responses: {
        202: { description: 'Started', headers: { Location: { schema: str } }, content: json(ref('Operation')) },
        ...bodyErrors,
        ...(more[400] ? { 400: error(`${bodyErrors[400].description}; ${more[400]}`) } : {}),
        ...denied,
        409: error('Another operation is running (OPERATION_IN_PROGRESS)'),
      },
    },
  };
}

/**
 * The paths that are the console's own, the same whichever environment is chosen: users, tokens,
 * audit, alert channels, the environments themselves and the fleet. They read no `env` (a given
 * one is still checked); every other path acts on the environment `env` names.
 */
export const GLOBAL_PATHS = new Set(['/api/v1/audit', '/api/v1/alerts/channels', '/api/v1/alerts/channels/{id}', '/api/v1/alerts/channels/{id}/test', '/api/v1/alerts/deliveries', '/api/v1/environments', '/api/v1/environments/scan', '/api/v1/environments/{id}', '/api/v1/fleet', '/api/v1/openapi.json']);

// environmentIdSchema's pattern, as JSON Schema says it (the test checks the two agree).
const ENVIRONMENT_ID_PATTERN = '^[a-z0-9][a-z0-9-]{0,39}$';

export const envParam = {
  name: 'env',
  in: 'query',
  required: false,
  description:
    'The environment to act on: `local` (the default, the console’s own Docker socket and DEPLOY_DIR) or an id from GET /api/v1/environments. The caller’s role is the one they hold there. An object of another environment (an operation, a backup) is not found through this one.',
  schema: { type: 'string', pattern: ENVIRONMENT_ID_PATTERN, default: LOCAL_ENVIRONMENT_ID },
};

const ENV_400 = 'an `env` that is not an environment id (INVALID_ENVIRONMENT)';
const ENV_404 = 'no such environment (ENVIRONMENT_NOT_FOUND)';

type Operation = { parameters?: unknown[]; responses: Record<string, { description: string; [k: string]: unknown }>; [k: string]: unknown };

/** Adds `env` and its two refusals to every operation of an environment-scoped path. */
function scopeToEnvironment(paths: Record<string, Record<string, Operation>>): Record<string, Record<string, Operation>> {
  return Object.fromEntries(
    Object.entries(paths).map(([p, item]) => {
      if (GLOBAL_PATHS.has(p)) return [p, item];
      const scoped = Object.fromEntries(
        Object.entries(item).map(([method, op]) => {
          const { 400: bad, 404: missing, ...rest } = op.responses;
          return [
            method,
            {
              ...op,
              parameters: [...(op.parameters ?? []), envParam],
              responses: {
                ...rest,
                400: bad ? { ...bad, description: `${bad.description}; or ${ENV_400}` } : error(ENV_400.replace(/^an/, 'An')),
                404: missing ? { ...missing, description: `${missing.description}, or ${ENV_404}` } : error(ENV_404.replace(/^no/, 'No')),
              },
            },
          ];
        }),
      );
      return [p, scoped];
    }),
  );
}

export function openApiDocument(): Record<string, unknown> {
  return {
    openapi: '3.1.0',
    info: {
      title: 'Tale Console API',
      version: '1',
      description:
        'Everything the console does, for scripts and CI/CD. Authenticate with `Authorization: Bearer <API token>` (an admin creates tokens under API tokens); the console’s own pages use the session cookie. Errors are `{ code, message }` JSON. Every path that acts on a stack takes `?env=<environment id>` (default `local`; list them with GET /api/v1/environments): 400 INVALID_ENVIRONMENT for a malformed id, 404 ENVIRONMENT_NOT_FOUND for an unknown one, and the caller’s role is the one they hold in that environment. Users, tokens, audit, alert channels, environments and the fleet are the console’s own and read no `env`.',
    },
    servers: [{ url: '/' }],
    security: [{ bearerAuth: [] }, { sessionCookie: [] }],
    tags: [{ name: 'status' }, { name: 'operations' }, { name: 'backups' }, { name: 'alerts' }, { name: 'environments' }, { name: 'admin' }, { name: 'meta' }],
    paths: scopeToEnvironment({
      '/api/v1/me': {
        get: { summary: 'The caller', operationId: 'getMe', tags: ['status'], responses: { 200: { description: 'The caller and its role', content: json(ref('Me')) }, ...denied } },
      },
      '/api/v1/status': {
        get: { summary: 'Stack status', operationId: 'getStatus', tags: ['status'], responses: { 200: { description: 'Active colour, versions, containers, running operation', content: json(ref('Status')) }, ...denied } },
      },
      '/api/v1/versions': {
        get: {
          summary: 'Registry versions, newest first, with availability',
          operationId: 'listVersions',
          tags: ['status'],
          parameters: queryParams(versionsQuerySchema),
          responses: { 200: { description: 'Versions, or the registry’s error', content: json(ref('Versions')) }, 400: error('Invalid query'), ...denied },
        },
      },
      '/api/v1/preflight': {
        get: {
          summary: 'The preflight checks of the host, run now',
          operationId: 'getPreflight',
          tags: ['status'],
          description:
            'Docker Engine version, memory for two colours, disk for the next release, the HTTP and HTTPS ports, the Docker socket’s permissions, the clock, and with TLS_MODE=letsencrypt whether HOST resolves to this machine. Each is pass, warn, fail or unknown (could not run) with a summary, the fix in words and its figures. A failing check blocks a deploy, update or rollback unless overridden with a reason.',
          responses: { 200: { description: 'The checks', content: json(ref('Preflight')) }, ...denied },
        },
      },
      '/api/v1/operations': {
        get: { summary: 'Operations, newest first', operationId: 'listOperations', tags: ['operations'], responses: { 200: { description: 'Operations', content: json(ref('OperationList')) }, ...denied } },
      },
      '/api/v1/operations/{id}': {
        get: {
          summary: 'One operation',
          operationId: 'getOperation',
          tags: ['operations'],
          parameters: [idParam],
          responses: { 200: { description: 'The operation', content: json(ref('Operation')) }, ...denied, 404: error('No such operation') },
        },
      },
      '/api/v1/operations/{id}/events': {
        get: {
          summary: 'Stream an operation’s events',
          operationId: 'streamOperationEvents',
          tags: ['operations'],
          description:
            'Server-Sent Events: `step` events (id = sequence number, data = { seq, at, step, status, data, text }) replayed after the `Last-Event-ID` header, then live ones, then one `end` event whose data is the final operation. Comment lines every 15 s keep the connection open. `text` is the event as a sentence for people; scripts read step, status and data. A health wait is two `health` `progress` events: `{ containers, waiting: true, timeoutSeconds }` when it starts and `{ containers, waiting: false, outcome: "healthy" | "failed", afterSeconds, timeoutSeconds, reason? }` when it ends; each container that turns healthy is `{ container, health: "healthy", afterSeconds }`.',
          parameters: [idParam, { name: 'Last-Event-ID', in: 'header', required: false, schema: { type: 'string', pattern: '^[0-9]+$' } }],
          responses: { 200: { description: 'The event stream', content: { 'text/event-stream': { schema: str } } }, ...denied, 404: error('No such operation') },
        },
      },
      '/api/v1/operations/{id}/cancel': {
        post: {
          summary: 'Cancel a running operation',
          operationId: 'cancelOperation',
          tags: ['operations'],
          parameters: [idParam],
          requestBody: { required: false, content: json(ref('EmptyInput')) },
          responses: { 204: { description: 'Cancelled' }, ...bodyErrors, ...denied, 409: error('The operation is not running (NOT_RUNNING)') },
        },
      },
      '/api/v1/deployments': start('Deploy a version (the newest when none is given), or only plan it with dryRun', 'startDeploy', 'DeployInput', {
        description:
          'A version older than the live one (a downgrade) starts only with `"allowDowngrade": true`, the API’s form of the console’s schema-compatibility confirmation: Convex data and indexes are not rolled back, so the older code runs on the newer data. A dry run needs no flag; POST /api/v1/rollbacks is itself the request to go back and needs none either. A release whose deploy failed its health gate on this host (`failedHere` in GET /api/v1/versions) starts again only with `"retryFailedRelease": true`; a later success of it clears the mark. ' +
          GATE +
          ' ' +
          PREFLIGHT,
        400: 'a downgrade without "allowDowngrade": true (DOWNGRADE_NOT_CONFIRMED, naming the live and the requested version), or a release that failed its health gate here without "retryFailedRelease": true (FAILED_RELEASE_NOT_CONFIRMED, naming the failed operation); nothing is started',
      }),
      '/api/v1/rollbacks': start('Roll back to the previous version, or to a given one', 'startRollback', 'RollbackInput', { description: `${GATE} ${PREFLIGHT}` }),
      '/api/v1/cleanups': start('Remove the inactive colour’s containers', 'startCleanup', 'EmptyInput'),
      '/api/v1/disk': {
        get: {
          summary: 'The stack’s images, the project’s volumes and Docker’s build cache, with the plan of "remove unused images" (viewer)',
          operationId: 'diskUsage',
          tags: ['disk'],
          responses: { 200: { description: 'Usage and the removal plan', content: json(ref('Disk')) }, ...denied, 404: error('No project (NO_PROJECT)') },
        },
      },
      '/api/v1/disk/prune-images': {
        post: {
          ...start('Remove the stack’s unused images: exactly the plan reviewed', 'pruneImages', 'PruneImagesInput').post,
          tags: ['disk'],
          description:
            'Needs the operator role. `planId` is `plan.id` from GET /api/v1/disk; when the plan has changed since (a deploy, a pull, a new container) the answer is 409 DISK_PLAN_CHANGED and nothing starts. The operation removes only images of that plan that are still unused; one a container started using meanwhile is kept (an event says so). Follow it with its events stream.',
          requestBody: { required: true, content: json(ref('PruneImagesInput')) },
          responses: {
            ...start('', '', 'PruneImagesInput').post.responses,
            409: error('Another operation is running (OPERATION_IN_PROGRESS), the plan changed since the preview (DISK_PLAN_CHANGED), or nothing is unused (NOTHING_TO_REMOVE)'),
          },
        },
      },
      '/api/v1/backups': {
        get: {
          summary: 'The complete backups of this project, newest first (operator)',
          operationId: 'listBackups',
          tags: ['backups'],
          responses: { 200: { description: 'The repository and its backups', content: json(ref('BackupList')) }, ...denied, 422: error('The repository could not be read (e.g. BACKUP_WRONG_PASSWORD)') },
        },
        post: {
          ...start('Back up the databases, the state volumes and the project files now', 'startBackup', 'StartBackupInput').post,
          tags: ['backups'],
          description:
            'Needs the operator role. The first backup creates the repository; that one answer carries `repositoryPassword`, shown never again. The operation runs after the answer; follow it with its events stream.',
        },
      },
      '/api/v1/backups/drills': {
        get: {
          summary: 'The restore drills this console ran, newest first, and the backup health the overview shows (operator)',
          operationId: 'listDrills',
          tags: ['backups'],
          responses: { 200: { description: 'Drills and health', content: json(ref('DrillList')) }, ...denied },
        },
        post: {
          ...start('Run a restore drill of one backup', 'startDrill', 'DrillInput').post,
          tags: ['backups'],
          description:
            'Needs the operator role. Restores the backup’s databases into a throwaway PostgreSQL of the stack’s db image on an internal network, compares every table’s row count with the backup’s, and removes it. Touches no live container. Fails with DRILL_ROWS_DIFFER naming each table that differs.',
          requestBody: { required: true, content: json(ref('DrillInput')) },
        },
      },
      '/api/v1/backups/checks': {
        post: {
          ...start('Check the repository’s integrity (restic check)', 'startRepositoryCheck', 'CheckInput').post,
          tags: ['backups'],
          description: 'Needs the operator role. Fails with REPOSITORY_CHECK_FAILED and restic’s reason when the repository is damaged.',
        },
      },
      '/api/v1/backups/schedule': {
        get: {
          summary: 'The backup schedule and retention, with the next and last run (operator)',
          operationId: 'getBackupSchedule',
          tags: ['backups'],
          responses: { 200: { description: 'The schedule', content: json(ref('BackupScheduleState')) }, ...denied },
        },
        put: {
          summary: 'Set the backup schedule and retention (admin)',
          operationId: 'setBackupSchedule',
          tags: ['backups'],
          description: 'Daily at HH:MM UTC or every N hours; each scheduled backup is followed by a drill of it and retention (keep N daily, weekly, monthly whole backups).',
          requestBody: { required: true, content: json(ref('BackupSchedule')) },
          responses: { 200: { description: 'The schedule as stored', content: json(ref('BackupScheduleState')) }, ...bodyErrors, ...denied },
        },
      },
      '/api/v1/releases/prepull': {
        get: {
          summary: 'The background pre-pull of the next release: on or off, ready, pulling or failed (viewer)',
          operationId: 'getPrePull',
          tags: ['operations'],
          responses: { 200: { description: 'The pre-pull', content: json(ref('PrePullStatus')) }, ...denied },
        },
        put: {
          summary: 'Turn the background pre-pull on or off, and set its interval (admin)',
          operationId: 'setPrePull',
          tags: ['operations'],
          description:
            'On by default. When on, the newest complete release above the live one that has not failed here has its six images pulled by digest as a `pre-pull` operation of the system: at start, every intervalMinutes (default 15), right after a deploy, rollback or update ends, and at once after this call. Turning it off cancels a pre-pull under way. Audited as releases.prepull.',
          requestBody: { required: true, content: json(ref('PrePullSetting')) },
          responses: { 200: { description: 'The pre-pull as stored', content: json(ref('PrePullStatus')) }, ...bodyErrors, ...denied },
        },
      },
      '/api/v1/restores': {
        post: {
          ...start('Restore a backup of this project', 'startRestore', 'RestoreInput').post,
          tags: ['backups'],
          description:
            'Needs the admin role and this project’s id typed as confirmation. First takes a safety backup of the current state (kind pre-restore; a failure is PRE_RESTORE_BACKUP_FAILED with nothing changed; skipBackup with a reason skips it), stops platform, rag, crawler and convex, replaces every database and the state volumes, then starts them again and waits for health, or, when the backup’s release differs from the live one, deploys it by its recorded digests first (RESTORE_RELEASE_UNAVAILABLE when its images cannot be pulled). The project files are not restored: see /api/v1/backups/{id}/project-files. A backup of another project is refused (BACKUP_OTHER_PROJECT), an unknown one is 404 (BACKUP_NOT_FOUND). A backup with a database from an external PostgreSQL writes into that server: externalServer must name it as host:port (RESTORE_EXTERNAL_UNCONFIRMED otherwise, nothing changed).',
          requestBody: { required: true, content: json(ref('RestoreInput')) },
        },
      },
      '/api/v1/restores/fresh-host/backups': {
        post: {
          summary: 'The backups of a repository offered to this fresh host (admin)',
          operationId: 'listFreshHostBackups',
          tags: ['backups'],
          description:
            'Only while the deployment directory is empty (DEPLOY_DIR_NOT_FRESH otherwise). A POST because the body carries the repository password; it is kept 0600 and never answered. Refusals: BACKUP_WRONG_PASSWORD, BACKUP_REPOSITORY_MISSING, FRESH_RESTORE_EMPTY, an unreachable target; a backup whose manifest cannot be read is listed with `readable: false` and its reason.',
          requestBody: { required: true, content: json(ref('FreshRepositoryInput')) },
          responses: { 200: { description: 'The backups, or the SFTP host key to confirm', content: json(ref('FreshHostBackups')) }, ...bodyErrors, ...denied, 422: error('The repository could not be opened or holds no backup') },
        },
      },
      '/api/v1/restores/fresh-host': {
        post: {
          ...start('Restore a backup into this fresh host', 'startFreshHostRestore', 'FreshRestoreInput').post,
          tags: ['backups'],
          description:
            'Needs the admin role, an empty deployment directory and the backup’s project id typed as confirmation. The repository, the manifest and the project files are read before anything is written; then, as a `restore` operation: the backup’s project files are written into the directory, the repository becomes this console’s backup target (password 0600), the recorded release is deployed by digest, and the databases and volumes are restored as POST /api/v1/restores does, without a safety backup (there is nothing to protect; the timeline says so).',
          requestBody: { required: true, content: json(ref('FreshRestoreInput')) },
        },
      },
      '/api/v1/alerts/channels': {
        get: {
          summary: 'The alert channels, without their secrets (viewer)',
          operationId: 'listAlertChannels',
          tags: ['alerts'],
          responses: { 200: { description: 'Channels', content: json({ type: 'object', required: ['channels'], properties: { channels: { type: 'array', items: ref('AlertChannel') } } }) }, ...denied },
        },
        post: {
          summary: 'Add an alert channel (admin)',
          operationId: 'createAlertChannel',
          tags: ['alerts'],
          description: 'A signed webhook (docs/alerts.md), a Slack-compatible incoming webhook or email over SMTP, with the events it receives. A webhook needs `secret`, a Slack channel `url`, an email channel with `user` its `password`.',
          requestBody: { required: true, content: json(ref('AlertChannelInput')) },
          responses: { 201: { description: 'The channel as stored', content: json(ref('AlertChannel')) }, ...bodyErrors, ...denied },
        },
      },
      '/api/v1/alerts/channels/{id}': {
        put: {
          summary: 'Replace an alert channel (admin)',
          operationId: 'updateAlertChannel',
          tags: ['alerts'],
          description: 'The whole channel; a secret left out (`secret`, Slack `url`, `password` with the same `user`) keeps the stored one.',
          parameters: [idParam],
          requestBody: { required: true, content: json(ref('AlertChannelInput')) },
          responses: { 200: { description: 'The channel as stored', content: json(ref('AlertChannel')) }, ...bodyErrors, ...denied, 404: error('No such channel (NOT_FOUND)') },
        },
        delete: {
          summary: 'Remove an alert channel (admin)',
          operationId: 'deleteAlertChannel',
          tags: ['alerts'],
          description: 'Its delivery log stays; its pending deliveries are not sent.',
          parameters: [idParam],
          responses: { 204: { description: 'Removed' }, ...bodyErrors, ...denied, 404: error('No such channel (NOT_FOUND)') },
        },
      },
      '/api/v1/alerts/channels/{id}/test': {
        post: {
          summary: 'Send a test alert now, once (admin)',
          operationId: 'testAlertChannel',
          tags: ['alerts'],
          description: 'Sends an example of the channel’s first event marked `test: true`, without retries, and answers how it went; the attempt is in the delivery log.',
          parameters: [idParam],
          responses: {
            200: { description: 'The outcome', content: json({ type: 'object', required: ['ok', 'error', 'durationMs'], properties: { ok: { type: 'boolean' }, error: nullableStr, durationMs: { type: 'integer' } } }) },
            ...bodyErrors,
            ...denied,
            404: error('No such channel (NOT_FOUND)'),
          },
        },
      },
      '/api/v1/alerts/deliveries': {
        get: {
          summary: 'The alert delivery log, newest attempt first (viewer)',
          operationId: 'listAlertDeliveries',
          tags: ['alerts'],
          parameters: queryParams(alertDeliveriesQuerySchema),
          responses: { 200: { description: 'Attempts', content: json({ type: 'object', required: ['attempts'], properties: { attempts: { type: 'array', items: ref('AlertAttempt') } } }) }, 400: error('Invalid query'), ...denied },
        },
      },
      '/api/v1/backups/{id}/project-files': {
        get: {
          summary: 'The backup’s project files compared with the current ones (operator)',
          operationId: 'diffBackupProjectFiles',
          tags: ['backups'],
          parameters: [snapshotParam],
          description: 'Per file (tale.json, .env, compose.override.yml, the .tale state files): same, changed, only in the backup or only now; .env key by key and the others line by line, secrets masked.',
          responses: { 200: { description: 'The diff', content: json({ type: 'object' }) }, ...denied, 404: error('No such backup'), 422: error('A backup of another project') },
        },
        post: {
          summary: 'Restore the backup’s project files (admin)',
          operationId: 'restoreBackupProjectFiles',
          tags: ['backups'],
          parameters: [snapshotParam],
          description: 'Needs the admin role and this project’s id typed as confirmation. Writes each file that differs atomically (the previous version kept in .tale/backups/); files the backup lacks are kept. Not part of a data restore; the next deploy applies them.',
          requestBody: { required: true, content: json(ref('ProjectFilesRestoreBody')) },
          responses: { 200: { description: 'The files written', content: json({ type: 'object' }) }, ...bodyErrors, ...denied, 404: error('No such backup') },
        },
      },
      '/api/v1/audit': {
        get: {
          summary: 'The audit trail, newest first (admin)',
          operationId: 'listAudit',
          tags: ['admin'],
          parameters: queryParams(auditFilterSchema),
          responses: {
            200: { description: 'Audit events as JSON, or CSV with format=csv', content: { ...json(ref('AuditEvents')), 'text/csv': { schema: str } } },
            400: error('Invalid filter'),
            ...denied,
          },
        },
      },
      '/api/v1/health/history': {
        get: {
          summary: 'The stack’s health history: uptime per service, CPU and memory, incidents (viewer)',
          operationId: 'getHealthHistory',
          tags: ['status'],
          description: 'Recorded by the console’s health watcher from Docker’s events and 10 s samples (kept 30 days, downsampled). Uptime always covers the last 24 hours; `range` chooses the charts’ and the incidents’ span.',
          parameters: queryParams(healthHistoryQuerySchema),
          responses: { 200: { description: 'The history', content: json(ref('HealthHistory')) }, 400: error('Invalid range'), ...denied },
        },
      },
      '/api/v1/environments': {
        get: {
          summary: 'The environments, the local one first (viewer)',
          operationId: 'listEnvironments',
          tags: ['environments'],
          responses: { 200: { description: 'Environments', content: json({ type: 'object', required: ['environments'], properties: { environments: { type: 'array', items: ref('Environment') } } }) }, ...denied },
        },
        post: {
          summary: 'Add an SSH environment with the host key fingerprint the admin confirmed, or a TCP+TLS one (admin)',
          operationId: 'addEnvironment',
          tags: ['environments'],
          description:
            'Step 2 after POST /api/v1/environments/scan. The server scans the host key again and refuses another one (HOST_KEY_CHANGED, naming both fingerprints), connects with the key, checks that the deployment directory exists and is writable (DIRECTORY_MISSING, DIRECTORY_NOT_WRITABLE), and only then saves. Refused: a name in use (ENVIRONMENT_NAME_TAKEN), the same host, port and directory as another environment (ENVIRONMENT_DUPLICATE), and the transport’s codes (HOST_UNREACHABLE, AUTH_FAILED, DOCKER_UNAVAILABLE, …) in words. The private key is stored 0600 on the console and never returned. Audited as environment.add. With `"kind": "tcp"`: a Docker Engine at tcp://host[:port] (2376 by default) listening with --tlsverify, in one step (no scan): caCert, clientCert and clientKey in PEM form are parsed and the key matched to the certificate (INVALID_CERTIFICATE, with a field error), then the engine is asked `docker version` with them; refused: TLS_CERT_UNTRUSTED (the host’s certificate is not signed by the CA given), TLS_NAME_MISMATCH, CLIENT_CERT_REFUSED, HOST_UNREACHABLE, and ENVIRONMENT_DUPLICATE for an engine another environment uses. The project’s files are kept on the console (its data directory); the three PEMs are stored in one 0600 file and never returned.',
          requestBody: { required: true, content: json(ref('EnvironmentInput')) },
          responses: { 201: { description: 'The environment as stored', content: json(ref('Environment')) }, ...bodyErrors, ...denied, 409: error('ENVIRONMENT_NAME_TAKEN or ENVIRONMENT_DUPLICATE'), 422: error('The host could not be used (a transport code, in words)') },
        },
      },
      '/api/v1/environments/scan': {
        post: {
          summary: 'Step 1 of adding an environment: check the input and read the host key (admin)',
          operationId: 'scanEnvironment',
          tags: ['environments'],
          description: 'Nothing is saved and no authentication is tried. Answers the key the host presents, to be compared with the host’s own (`ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub`) and sent back as hostKeyFingerprint.',
          requestBody: { required: true, content: json(ref('EnvironmentScanInput')) },
          responses: { 200: { description: 'The host key', content: json({ type: 'object', required: ['endpoint', 'hostKey'], properties: { endpoint: str, hostKey: ref('HostKey') } }) }, ...bodyErrors, ...denied, 409: error('ENVIRONMENT_NAME_TAKEN or ENVIRONMENT_DUPLICATE'), 422: error('HOST_UNREACHABLE and the other transport codes, in words') },
        },
      },
      '/api/v1/environments/{id}': {
        delete: {
          summary: 'Remove an environment (admin)',
          operationId: 'removeEnvironment',
          tags: ['environments'],
          description: 'The body repeats the environment’s name (`confirmName`); its key file is deleted; nothing on its host changes. `local` cannot be removed (ENVIRONMENT_LOCAL). Audited as environment.remove.',
          parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string', pattern: ENVIRONMENT_ID_PATTERN } }],
          requestBody: { required: true, content: json(ref('EnvironmentRemoveBody')) },
          responses: { 204: { description: 'Removed' }, ...bodyErrors, ...denied, 404: error('No such environment (ENVIRONMENT_NOT_FOUND)'), 422: error('CONFIRMATION_MISMATCH or ENVIRONMENT_LOCAL') },
        },
      },
      '/api/v1/users/{id}/environment-roles': {
        get: {
          summary: 'A user’s role in every environment (admin)',
          operationId: 'getUserEnvironmentRoles',
          tags: ['admin'],
          description: 'Users are global; a grant replaces a viewer’s or operator’s console-wide role in one environment (operator on staging, viewer on production). Admins are admin everywhere and have no grants.',
          parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } }],
          responses: { 200: { description: 'The user’s roles', content: json(ref('UserEnvironmentRoles')) }, ...denied, 404: error('No such user (NOT_FOUND)') },
        },
        put: {
          summary: 'Grant, replace or remove a user’s role in one environment (admin)',
          operationId: 'setUserEnvironmentRole',
          tags: ['admin'],
          description: 'One grant per call: `role` viewer or operator sets it, null removes it. Takes effect at the user’s next request, sessions and API tokens alike (a token never acts above its own role). Refused: an admin (ROLE_ADMIN_GLOBAL), a disabled user (USER_DISABLED), an unknown environment (ENVIRONMENT_NOT_FOUND). Audited as user.environment_role.',
          parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } }],
          requestBody: { required: true, content: json(ref('EnvironmentRoleBody')) },
          responses: {
            200: { description: 'The user’s roles afterwards', content: json(ref('UserEnvironmentRoles')) },
            ...bodyErrors,
            ...denied,
            404: error('No such user (NOT_FOUND) or environment (ENVIRONMENT_NOT_FOUND)'),
            422: error('ROLE_ADMIN_GLOBAL or USER_DISABLED'),
          },
        },
      },
      '/api/v1/fleet': {
        get: {
          summary: 'Every environment’s reachability, live version and health per service (viewer)',
          operationId: 'getFleet',
          tags: ['environments'],
          description: 'The local environment is asked live; a remote one’s status is read by its runtime every 10 s in the background and shown with its age (checkedAt, ageMs) while younger than maxAgeMs (15 s), else read again. A read has its own deadline (deadlineMs, 3 s): one that does not answer in time is unreachable with code TIMEOUT and does not delay the others, and a failed or timed-out read is kept as such, so it is answered at once until the next read. Every environment adds the running operation, the last backup and the alerts of the last 24 hours.',
          responses: {
            200: { description: 'The fleet', content: json({ type: 'object', required: ['environments', 'deadlineMs', 'maxAgeMs', 'checkedAt', 'durationMs'], properties: { environments: { type: 'array', items: ref('FleetEnvironment') }, deadlineMs: { type: 'integer' }, maxAgeMs: { type: 'integer' }, checkedAt: { type: 'string', format: 'date-time' }, durationMs: { type: 'integer' } } }) },
            ...denied,
          },
        },
      },
      '/api/v1/promotions': {
        post: {
          ...start('Promote another environment’s live release to ?env= by its recorded digests, or only preview it with dryRun', 'startPromotion', 'PromotionInput').post,
          tags: ['operations', 'environments'],
          description:
            'Needs the operator role in the destination (`?env=`) and at least viewer in the source (`from`). Deploys the version live on the source pinned to the image digests its release record holds (the same bytes, even when the tag moved since); the destination keeps its own .env and pins. A source without a succeeded, recorded live release is PROMOTION_SOURCE_NOT_LIVE; with `minCleanMinutes` the source must have run it that long since it went live and since its last die/kill/oom/unhealthy incident (PROMOTION_NOT_PROVEN, saying how long it ran and when the last incident was); the same digests already live is PROMOTION_NOTHING_TO_DO; a production destination needs its name in `confirmName` (CONFIRMATION_MISMATCH). With `"dryRun": true` the answer is 200 with the preview (as GET /api/v1/promotions/preview) and nothing starts. Audited as deployment.promote; the operation’s kind is promote. The destination’s gates apply as to an upgrade there (a promotion that changes its live version is gated like a deploy): ' +
            `${GATE} ${PREFLIGHT} ` +
            'A promotion that fails its health gate marks the version as failed on the destination, as a failed deploy does.',
          requestBody: { required: true, content: json(ref('PromotionInput')) },
          responses: {
            ...start('', '', 'PromotionInput').post.responses,
            200: { description: 'dryRun: the preview', content: json({ type: 'object' }) },
            404: error('No such environment (ENVIRONMENT_NOT_FOUND)'),
            422: error('PROMOTION_SOURCE_NOT_LIVE, PROMOTION_NOT_PROVEN, PROMOTION_NOTHING_TO_DO, CONFIRMATION_MISMATCH, PREFLIGHT_FAILED or BACKUP_GATE_NO_REPOSITORY'),
          },
        },
      },
      '/api/v1/promotions/preview': {
        get: {
          summary: 'What promoting `from`’s live release to ?env= would deploy, and how the two environments differ (operator)',
          operationId: 'previewPromotion',
          tags: ['environments'],
          description:
            'Query: `from` (the source environment id), optional `minCleanMinutes`. The source’s version and digests, the destination’s live version, the .env differences key by key (secret values never shown, only that they differ), the image pin differences, the proven-time figures, and `blocked` with the code a start would be refused with now. Changes nothing.',
          parameters: queryParams(promotionInputSchema.pick({ from: true, minCleanMinutes: true })),
          responses: { 200: { description: 'The preview', content: json({ type: 'object', required: ['source', 'destination', 'env', 'pins', 'proven', 'blocked'] }) }, 400: error('Invalid query'), ...denied, 404: error('No such environment (ENVIRONMENT_NOT_FOUND)'), 422: error('PROMOTION_SOURCE_NOT_LIVE') },
        },
      },
      '/api/v1/openapi.json': {
        get: { summary: 'This document', operationId: 'getOpenApi', tags: ['meta'], security: [], responses: { 200: { description: 'OpenAPI 3.1', content: json({ type: 'object' }) } } },
      },
    }),
    components: {
      schemas,
      securitySchemes: {
        bearerAuth: { type: 'http', scheme: 'bearer', description: 'An API token, `tale_…`' },
        sessionCookie: { type: 'apiKey', in: 'cookie', name: 'next-auth.session-token', description: 'The console’s session; unsafe methods also need a same-origin Origin header' },
      },
    },
  };
}
