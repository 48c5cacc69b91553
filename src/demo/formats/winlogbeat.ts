/**
 * Windows events as Winlogbeat 8 ships them to Elasticsearch (no ingest pipeline): ECS envelope,
 * `winlog.*` with the provider's EventData as strings, `event_id`/`record_id` as strings and the
 * rendered message. One `WindowsHost` per machine keeps record numbers and service pids consistent.
 */
import type { Rng } from '../random.js';

type Doc = Record<string, unknown>;

const PROVIDERS = {
  sysmon: {
    name: 'Microsoft-Windows-Sysmon',
    guid: '{5770385f-c22a-43e0-bf4c-06f5698ffbd9}',
    channel: 'Microsoft-Windows-Sysmon/Operational',
  },
  security: {
    name: 'Microsoft-Windows-Security-Auditing',
    guid: '{54849625-5478-4994-a5ba-3e3b0328c30d}',
    channel: 'Security',
  },
  scm: { name: 'Service Control Manager', guid: '{555908d1-a6d7-4695-8e1e-26931d2012f4}', channel: 'System' },
} as const;

/** Sysmon event id → task name, schema version and the first line of the rendered message. */
const SYSMON_EVENTS: Record<number, { task: string; version: number; title: string }> = {
  1: { task: 'Process Create (rule: ProcessCreate)', version: 5, title: 'Process Create' },
  3: {
    task: 'Network connection detected (rule: NetworkConnect)',
    version: 5,
    title: 'Network connection detected',
  },
  10: { task: 'Process accessed (rule: ProcessAccess)', version: 3, title: 'Process accessed' },
  11: { task: 'File created (rule: FileCreate)', version: 2, title: 'File created' },
  22: { task: 'Dns query (rule: DnsQuery)', version: 5, title: 'Dns query' },
};

const SYSTEM_USER = { domain: 'NT AUTHORITY', identifier: 'S-1-5-18', name: 'SYSTEM', type: 'User' };

/** `2026-11-28 10:31:02.123`, the UtcTime format of Sysmon. */
export function sysmonTime(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').replace('Z', '');
}

function render(title: string, data: Record<string, string>): string {
  return [`${title}:`, ...Object.entries(data).map(([k, v]) => `${k}: ${v}`)].join('\n');
}

export interface WindowsHostSpec {
  /** NetBIOS name, e.g. `WS-FIN-0042` */
  name: string;
  dnsDomain: string;
  ip: string;
  server: boolean;
}

export class WindowsHost {
  readonly fqdn: string;
  private readonly records = new Map<string, number>();
  private readonly agentId: string;
  private readonly build: string;
  readonly sysmonPid: number;
  readonly lsassPid: number;
  readonly servicesPid: number;
  readonly mac: string;
  /** first group of this machine's Sysmon process GUIDs */
  readonly guidPrefix: string;

  constructor(
    readonly spec: WindowsHostSpec,
    private readonly rng: Rng,
  ) {
    this.fqdn = `${spec.name}.${spec.dnsDomain}`;
    this.guidPrefix = rng.hex(8);
    this.agentId = rng.guid().slice(1, -1);
    this.build = spec.server ? `17763.${rng.int(4000, 6400)}` : `19045.${rng.int(3000, 5200)}`;
    this.sysmonPid = rng.int(2000, 4000);
    this.lsassPid = rng.int(600, 800);
    this.servicesPid = this.lsassPid - rng.int(8, 20);
    this.mac = Array.from({ length: 6 }, (_, i) => (i === 0 ? '00' : rng.hex(2)))
      .join('-')
      .toUpperCase();
    for (const p of Object.values(PROVIDERS)) this.records.set(p.channel, rng.int(20_000, 900_000));
  }

  private envelope(
    time: number,
    provider: (typeof PROVIDERS)[keyof typeof PROVIDERS],
    eventId: number,
    w: Doc,
    event: Doc,
    message: string,
  ): Doc {
    const record = (this.records.get(provider.channel) ?? 0) + 1;
    this.records.set(provider.channel, record);
    return {
      '@timestamp': new Date(time).toISOString(),
      agent: {
        type: 'winlogbeat',
        version: '8.15.3',
        name: this.spec.name.toLowerCase(),
        id: this.agentId,
        ephemeral_id: this.agentId.split('').reverse().join(''),
      },
      ecs: { version: '8.0.0' },
      host: {
        name: this.fqdn.toLowerCase(),
        hostname: this.spec.name.toLowerCase(),
        architecture: 'x86_64',
        ip: [this.spec.ip],
        mac: [this.mac],
        os: {
          type: 'windows',
          family: 'windows',
          platform: 'windows',
          name: this.spec.server ? 'Windows Server 2019 Datacenter' : 'Windows 10 Enterprise',
          kernel: `10.0.${this.build} (WinBuild.160101.0800)`,
          build: this.build,
          version: '10.0',
        },
      },
      event: {
        code: String(eventId),
        kind: 'event',
        provider: provider.name,
        created: new Date(time + this.rng.int(300, 2500)).toISOString(),
        ...event,
      },
      log: { level: 'information' },
      message,
      winlog: {
        api: 'wineventlog',
        channel: provider.channel,
        computer_name: this.fqdn,
        event_id: String(eventId),
        provider_name: provider.name,
        provider_guid: provider.guid,
        record_id: String(record),
        opcode: 'Info',
        ...w,
      },
    };
  }

  /** A Sysmon event; `data` is the EventData in Sysmon's order (RuleName and UtcTime are added). */
  sysmon(time: number, eventId: number, data: Record<string, string>): Doc {
    const meta = SYSMON_EVENTS[eventId];
    if (!meta) throw new Error(`no Sysmon template for event ${eventId}`);
    const eventData = { RuleName: '-', UtcTime: sysmonTime(time), ...data };
    return this.envelope(
      time,
      PROVIDERS.sysmon,
      eventId,
      {
        task: meta.task,
        version: meta.version,
        event_data: eventData,
        process: { pid: this.sysmonPid, thread: { id: this.rng.int(3000, 9000) } },
        user: SYSTEM_USER,
      },
      { action: meta.task },
      render(meta.title, eventData),
    );
  }

  /** Security 4624, an account was successfully logged on. */
  logon(time: number, data: Record<string, string>): Doc {
    return this.envelope(
      time,
      PROVIDERS.security,
      4624,
      {
        task: 'Logon',
        version: 2,
        keywords: ['Audit Success'],
        event_data: data,
        process: { pid: this.lsassPid, thread: { id: this.rng.int(700, 9000) } },
      },
      { category: ['authentication'], type: ['start'], action: 'logged-in', outcome: 'success' },
      render('An account was successfully logged on.\n\nDetails', data),
    );
  }

  /** System 7045, a service was installed in the system. */
  serviceInstalled(
    time: number,
    data: {
      ServiceName: string;
      ImagePath: string;
      ServiceType: string;
      StartType: string;
      AccountName: string;
    },
    by: { domain: string; name: string; sid: string },
  ): Doc {
    return this.envelope(
      time,
      PROVIDERS.scm,
      7045,
      {
        task: 'None',
        version: 0,
        keywords: ['Classic'],
        event_data: data,
        process: { pid: this.servicesPid, thread: { id: this.rng.int(700, 9000) } },
        user: { domain: by.domain, identifier: by.sid, name: by.name, type: 'User' },
      },
      { action: 'None' },
      `A service was installed in the system.\n\nService Name:  ${data.ServiceName}\nService File Name:  ${data.ImagePath}\nService Type:  ${data.ServiceType}\nService Start Type:  ${data.StartType}\nService Account:  ${data.AccountName}`,
    );
  }
}
