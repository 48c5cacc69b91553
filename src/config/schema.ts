import { z } from 'zod';
import { PROCESS_ROLES } from '../cluster/roles.js';

const port = z.coerce.number().int().min(0).max(65535);

function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

const inputId = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, 'lowercase letters, digits, _ and -');

const tlsOptions = z
  .object({
    port: port,
    cert: z.string().min(1),
    key: z.string().min(1),
    /** CA bundle to verify client certificates with; with `requireClientCert` only clients it signed connect. */
    ca: z.string().min(1).optional(),
    requireClientCert: z.boolean().default(false),
  })
  .strict();

const syslogInput = z
  .object({
    id: inputId.default('syslog'),
    port: port.default(5514),
    host: z.string().default('0.0.0.0'),
    enabled: z.boolean().default(true),
    protocols: z.array(z.enum(['udp', 'tcp'])).default(['udp', 'tcp']),
    tenant: z.string().min(1).default('default'),
    /** IANA zone of senders whose timestamps carry no offset (RFC 3164). */
    timezone: z.string().refine(isTimeZone, 'an IANA time zone such as UTC or Europe/Paris').default('UTC'),
    maxMessageBytes: z.coerce
      .number()
      .int()
      .min(1024)
      .max(16 * 1024 * 1024)
      .default(256 * 1024),
    /** Syslog over TLS (RFC 5425) on its own port. */
    tls: tlsOptions.optional(),
    /** A sending host that was active and then stays quiet this long raises a silent-source detection. */
    silentAfterMinutes: z.coerce.number().positive().default(60),
  })
  .strict();

const netflowInput = z
  .object({
    id: inputId.default('netflow'),
    port: port.default(2055),
    host: z.string().default('0.0.0.0'),
    enabled: z.boolean().default(true),
    tenant: z.string().min(1).default('default'),
    silentAfterMinutes: z.coerce.number().positive().default(60),
  })
  .strict();

const filesInput = z
  .object({
    id: inputId,
    enabled: z.boolean().default(true),
    /** Directory polled for log files (top level only). */
    path: z.string().min(1),
    tenant: z.string().min(1).default('default'),
    /** Glob on the file name (`*` and `?`), e.g. `*.log`. */
    pattern: z.string().min(1).optional(),
    pollMs: z.coerce.number().int().min(100).default(2000),
    timezone: z.string().refine(isTimeZone, 'an IANA time zone such as UTC or Europe/Paris').default('UTC'),
  })
  .strict();

const channelBase = {
  id: inputId,
  /** Which facts this channel hears about. */
  on: z
    .array(
      z.enum(['alert.created', 'alert.assigned', 'case.assigned', 'case.sla_breached', 'playbook.approval']),
    )
    .default(['alert.created', 'alert.assigned', 'case.assigned', 'case.sla_breached', 'playbook.approval']),
  /** New alerts below this severity are not sent (assignments and SLA breaches always are). */
  minSeverity: z.enum(['informational', 'low', 'medium', 'high', 'critical']).default('high'),
  /** Tenants this channel serves; default all. */
  tenants: z.array(z.string().min(1)).optional(),
};
const httpsUrl = z.url({ protocol: /^https?$/ });

const notificationChannel = z.discriminatedUnion('type', [
  z
    .object({
      ...channelBase,
      type: z.literal('email'),
      smtp: z
        .object({
          host: z.string().min(1),
          port: port.default(25),
          /** TLS from the first byte (port 465); otherwise STARTTLS is used when offered. */
          secure: z.boolean().default(false),
          user: z.string().optional(),
          password: z.string().optional(),
        })
        .strict(),
      from: z.email(),
      to: z.array(z.email()).min(1),
    })
    .strict(),
  z
    .object({
      ...channelBase,
      type: z.literal('webhook'),
      url: httpsUrl,
      secret: z.string().min(16).optional(),
    })
    .strict(),
  z.object({ ...channelBase, type: z.literal('slack'), url: httpsUrl }).strict(),
  z.object({ ...channelBase, type: z.literal('teams'), url: httpsUrl }).strict(),
]);
export type NotificationChannelConfig = z.infer<typeof notificationChannel>;

export type FilesInputConfig = z.infer<typeof filesInput>;
export type SyslogInputConfig = z.infer<typeof syslogInput>;
export type NetflowInputConfig = z.infer<typeof netflowInput>;

/** Limits on stored events (store/retention.ts). */
const retentionLimits = {
  /** Whole UTC days of events kept before today, by event time; unset: no age limit. */
  days: z.coerce.number().int().min(1).max(36500).optional(),
  /** Bytes of stored event JSON kept per tenant; the oldest whole days go first; unset: no limit. */
  maxBytes: z.coerce.number().int().positive().optional(),
};

/** The whole configuration. Every key has a default so that `npm start` needs no file. */
export const configSchema = z
  .object({
    dataDir: z.string().min(1).default('./data'),
    http: z
      .object({
        host: z.string().default('0.0.0.0'),
        port: port.default(8080),
        bodyLimitBytes: z.coerce
          .number()
          .int()
          .positive()
          .default(16 * 1024 * 1024),
        trustProxy: z.boolean().default(false),
        /** How people reach this server (e.g. https://vigil.example.org): the base of links sent out. */
        publicUrl: z.url({ protocol: /^https?$/ }).optional(),
      })
      .strict()
      .prefault({}),
    syslog: syslogInput.prefault({}),
    netflow: netflowInput.prefault({}),
    /** Further listeners beyond the default syslog and netflow ones, each with its own tenant and zone. */
    inputs: z
      .array(
        z.discriminatedUnion('type', [
          syslogInput.extend({ type: z.literal('syslog'), id: inputId }),
          netflowInput.extend({ type: z.literal('netflow'), id: inputId }),
          filesInput.extend({ type: z.literal('files') }),
        ]),
      )
      .default([])
      .refine((list) => new Set(list.map((i) => i.id)).size === list.length, 'input ids must be unique'),
    database: z
      .object({
        url: z
          .string()
          .regex(/^postgres(ql)?:\/\//, 'a postgres:// URL')
          .optional(),
      })
      .strict()
      .prefault({}),
    nats: z
      .object({
        url: z
          .string()
          .regex(/^(nats|tls):\/\//, 'a nats:// URL')
          .optional(),
        /** Stream name prefix, so several installations can share one NATS account. */
        streamPrefix: z
          .string()
          .regex(/^[A-Za-z0-9_-]{1,32}$/, 'letters, digits, _ and -')
          .default('VIGIL'),
        /** Other servers of the NATS cluster (host:port), for failover; `url` is the first. */
        servers: z.array(z.string().min(1)).default([]),
        /** Copies of each stream Vigil creates: 3 on a 3-node NATS cluster (R3), 1 on one server. */
        replicas: z.coerce.number().int().min(1).max(5).default(1),
        /** TLS files: the CA that signed the servers' certificates, and a client certificate if required. */
        tls: z
          .object({
            caFile: z.string().optional(),
            certFile: z.string().optional(),
            keyFile: z.string().optional(),
          })
          .strict()
          .prefault({}),
      })
      .strict()
      .prefault({}),
    /** Cluster mode: what this process does (`--role`, VIGIL_ROLE); see docs/deployment.md. */
    cluster: z
      .object({ role: z.enum(PROCESS_ROLES).default('all') })
      .strict()
      .prefault({}),
    rules: z
      .object({
        paths: z.array(z.string()).default([]),
        /** how far (seconds) behind the newest event time an event may arrive and still be correlated */
        latenessSeconds: z.coerce.number().min(0).max(86_400).default(60),
        /** open correlation groups kept per correlation and tenant; beyond it the oldest is evicted */
        maxGroupsPerCorrelation: z.coerce.number().int().min(1).default(100_000),
        /** how often correlation state is saved for a restart (also saved on close) */
        snapshotSeconds: z.coerce.number().min(1).default(30),
        /**
         * Cluster mode (PostgreSQL and NATS): correlation state is split into this many partitions
         * by (tenant, correlation, group), each owned by one detect node; 0 correlates on every
         * detect node separately (right only with a single detect node). Ignored when embedded.
         */
        correlationPartitions: z.coerce.number().int().min(0).max(1024).default(16),
        /**
         * Who decides which detect node owns a partition: PostgreSQL advisory locks (a partition
         * moves when its holder's session ends), or leases in a NATS JetStream KV bucket (moves
         * only what a fair share needs on join, and a dead node's after `partitionLeaseMs`).
         */
        partitionOwnership: z.enum(['postgres', 'nats']).default('postgres'),
        partitionLeaseMs: z.coerce.number().int().min(300).max(600_000).default(10_000),
      })
      .strict()
      .prefault({}),
    auth: z
      .object({
        sessionTtlMinutes: z.coerce
          .number()
          .int()
          .positive()
          .default(12 * 60),
        lockout: z
          .object({
            maxAttempts: z.coerce.number().int().positive().default(5),
            windowMinutes: z.coerce.number().positive().default(15),
            lockMinutes: z.coerce.number().positive().default(15),
          })
          .strict()
          .prefault({}),
        loginRatePerMinute: z.coerce.number().int().positive().default(30),
        secureCookies: z.boolean().default(false),
      })
      .strict()
      .prefault({}),
    ingest: z
      .object({
        maxPendingEvents: z.coerce.number().int().positive().default(200_000),
        defaultTenant: z.string().min(1).default('default'),
        /**
         * Splunk HEC indexer acknowledgement: senders name a channel and get an ackId per request,
         * then ask /services/collector/ack which are durable. Off by default, as in Splunk.
         */
        hecAck: z
          .object({
            enabled: z.boolean().default(false),
            maxChannels: z.coerce.number().int().min(1).max(1_000_000).default(10_000),
            maxPendingPerChannel: z.coerce.number().int().min(1).max(1_000_000).default(10_000),
            channelIdleMinutes: z.coerce.number().min(1).max(1440).default(10),
            /**
             * Token names or ids that use acknowledgement, as Splunk's per-token `useACK`: their
             * requests must name a channel and get ackIds; other tokens send as without it.
             * Empty: every token (when enabled).
             */
            tokens: z.array(z.string().min(1)).default([]),
          })
          .strict()
          .prefault({}),
      })
      .strict()
      .prefault({}),
    alerts: z
      .object({
        /** Same rule + same entity within this long folds into one alert. */
        dedupWindowMinutes: z.coerce.number().positive().default(60),
        /** Detections below this severity are kept and correlated but open no alert (building blocks). */
        minSeverity: z.enum(['informational', 'low', 'medium', 'high', 'critical']).default('low'),
        /** Hosts, users or addresses whose alerts are raised one severity step. */
        criticalAssets: z.array(z.string().min(1)).default([]),
        /** Known-bad observable (live indicator at or above this confidence) raises an alert one step; null: off. */
        intelRaiseConfidence: z.coerce.number().min(0).max(100).nullable().default(75),
        risk: z
          .object({
            windowHours: z.coerce.number().positive().default(24),
            threshold: z.coerce.number().positive().default(100),
          })
          .strict()
          .prefault({}),
      })
      .strict()
      .prefault({}),
    cases: z
      .object({
        /** Largest evidence file accepted, in bytes. */
        evidenceMaxBytes: z.coerce
          .number()
          .int()
          .positive()
          .default(1024 ** 3),
      })
      .strict()
      .prefault({}),
    notifications: z
      .object({
        channels: z
          .array(notificationChannel)
          .default([])
          .refine(
            (list) => new Set(list.map((c) => c.id)).size === list.length,
            'channel ids must be unique',
          ),
        /** Per channel, so one noisy tenant cannot flood a pager. */
        ratePerMinute: z.coerce.number().int().positive().default(30),
        maxAttempts: z.coerce.number().int().min(1).max(50).default(8),
      })
      .strict()
      .prefault({}),
    enrichment: z
      .object({
        /**
         * Address → AS number, organisation and country tables in the iptoasn.com TSV format
         * (ip2asn-combined.tsv, optionally .gz); used by playbooks' network enrichment.
         */
        ipAsnFiles: z.array(z.string().min(1)).default([]),
        /**
         * MaxMind-format databases (.mmdb) for country and AS of addresses in alerts and cases;
         * `bundled` is the country database shipped with Vigil (ip-location-db, CC BY 4.0).
         */
        mmdbFiles: z.array(z.string().min(1)).default(['bundled']),
      })
      .strict()
      .prefault({}),
    playbooks: z
      .object({
        /**
         * Encrypts connector secrets and signs approval links: 64 hex characters or base64 of 32 bytes.
         * VIGIL_SECRET_KEY overrides it; with neither, `<dataDir>/secret.key` is created on first start.
         */
        secretKey: z
          .string()
          .trim()
          .refine(
            (v) => (/^[0-9a-fA-F]{64}$/.test(v) ? true : Buffer.from(v, 'base64').length === 32),
            '64 hex characters or base64 of 32 bytes',
          )
          .optional(),
        /** Analyst minutes an action saves, over the built-in estimates (the basis of "time saved"). */
        minutesSaved: z.record(z.string().min(1).max(64), z.coerce.number().min(0).max(1440)).default({}),
      })
      .strict()
      .prefault({}),
    intel: z
      .object({
        /** Days of stored events a retro-hunt searches for newly arrived indicators; 0: off. */
        retroHuntDays: z.coerce.number().int().min(0).max(3650).default(7),
        /** A directory of MISP warninglists (`<name>/list.json`) loaded as global lists at start. */
        warninglistsDir: z.string().min(1).optional(),
        /** Confidence points one analyst false-positive mark takes off an indicator. */
        falsePositivePenalty: z.coerce.number().int().min(0).max(100).default(20),
        /** False-positive marks after which an indicator stops matching; 0: never. */
        expireAfterFalsePositives: z.coerce.number().int().min(0).max(1000).default(3),
        /** Highest TLP shared out (TAXII, exports); TLP:RED is never shared whatever this says. */
        maxShareTlp: z.enum(['clear', 'green', 'amber', 'amber+strict']).default('amber'),
      })
      .strict()
      .prefault({}),
    retention: z
      .object({
        ...retentionLimits,
        /** Per-tenant limits over the defaults above. */
        tenants: z.record(z.string().min(1), z.object(retentionLimits).strict()).default({}),
        /** How often retention runs. */
        intervalMinutes: z.coerce.number().int().min(1).max(1440).default(60),
      })
      .strict()
      .prefault({}),
    /** Scheduled searches and Sigma retro-hunts (run by worker processes). */
    hunting: z
      .object({
        /** How often workers look for scheduled searches that are due. */
        scheduleTickSeconds: z.coerce.number().int().min(1).max(3600).default(30),
        /** A window runs this long after it closes, so that late events are still counted. */
        scheduleGraceSeconds: z.coerce.number().int().min(0).max(3600).default(30),
        /** How often an idle worker looks for queued retro-hunts. */
        huntPollSeconds: z.coerce.number().min(0.1).max(600).default(2),
      })
      .strict()
      .prefault({}),
    log: z
      .object({
        level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
      })
      .strict()
      .prefault({}),
  })
  .strict();

export type VigilConfig = z.infer<typeof configSchema>;
