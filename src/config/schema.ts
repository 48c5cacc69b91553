import { z } from 'zod';

const port = z.coerce.number().int().min(0).max(65535);

function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** The whole configuration. Every key has a default so that `npm start` needs no file. */
export const configSchema = z
  .object({
    dataDir: z.string().min(1).default('./data'),
    http: z
      .object({
        host: z.string().default('0.0.0.0'),
        port: port.default(8080),
        bodyLimitBytes: z.coerce.number().int().positive().default(16 * 1024 * 1024),
        trustProxy: z.boolean().default(false),
      })
      .strict()
      .prefault({}),
    syslog: z
      .object({
        port: port.default(5514),
        host: z.string().default('0.0.0.0'),
        enabled: z.boolean().default(true),
        tenant: z.string().min(1).default('default'),
        /** IANA zone of senders whose timestamps carry no offset (RFC 3164). */
        timezone: z.string().refine(isTimeZone, 'an IANA time zone such as UTC or Europe/Paris').default('UTC'),
        maxMessageBytes: z.coerce.number().int().min(1024).max(16 * 1024 * 1024).default(256 * 1024),
      })
      .strict()
      .prefault({}),
    netflow: z
      .object({
        port: port.default(2055),
        host: z.string().default('0.0.0.0'),
        enabled: z.boolean().default(true),
        tenant: z.string().min(1).default('default'),
      })
      .strict()
      .prefault({}),
    database: z
      .object({ url: z.string().regex(/^postgres(ql)?:\/\//, 'a postgres:// URL').optional() })
      .strict()
      .prefault({}),
    nats: z
      .object({ url: z.string().regex(/^(nats|tls):\/\//, 'a nats:// URL').optional() })
      .strict()
      .prefault({}),
    rules: z.object({ paths: z.array(z.string()).default([]) }).strict().prefault({}),
    auth: z
      .object({
        sessionTtlMinutes: z.coerce.number().int().positive().default(12 * 60),
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
      })
      .strict()
      .prefault({}),
    log: z
      .object({ level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info') })
      .strict()
      .prefault({}),
  })
  .strict();

export type VigilConfig = z.infer<typeof configSchema>;
