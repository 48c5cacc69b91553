/**
 * Processing pipelines (the pySigma idea, done as code): which events a rule's logsource
 * selects, and where a Sigma field name is found in an event.
 *
 * The Windows channel/EventID table is derived from SigmaHQ's `thor.yml` (the map its own
 * regression CI uses) plus the services named by rules that thor.yml lacks. Logsource is strict:
 * a Windows category is a (channel, EventID) pair, so a Sysmon rule never fires on a Security
 * event that happens to share an EventID.
 *
 * Non-Windows events are classified from ECS metadata: `event.module` → product,
 * `event.dataset` (whole and suffix) → service, ECS `event.category`/`event.type` → Sigma
 * category, `host.os.type` → product. A rule whose logsource no event can produce still loads;
 * it simply never matches (that is the documented choice for unknown logsources).
 */
import { getField } from '../../schema/fields.js';
import { EventCtx, WinKind } from './event-context.js';

export interface LogsourceSpec {
  product?: string | undefined;
  category?: string | undefined;
  service?: string | undefined;
}

const SYSMON = 'microsoft-windows-sysmon/operational';
const SECURITY = 'security';
const PS_OPERATIONAL = ['microsoft-windows-powershell/operational', 'powershellcore/operational'];
const PS_CLASSIC = 'windows powershell';
const DEFENDER = 'microsoft-windows-windows defender/operational';

/** Sigma service → Windows channels (lower-case). From thor.yml `windows-*` sources, plus extras. */
export const WINDOWS_SERVICES: Readonly<Record<string, readonly string[]>> = {
  application: ['application'],
  security: [SECURITY],
  system: ['system'],
  ntlm: ['microsoft-windows-ntlm/operational'],
  sysmon: [SYSMON],
  powershell: PS_OPERATIONAL,
  'powershell-classic': [PS_CLASSIC],
  taskscheduler: ['microsoft-windows-taskscheduler/operational'],
  wmi: ['microsoft-windows-wmi-activity/operational'],
  dhcp: ['microsoft-windows-dhcp-server/operational'],
  'printservice-admin': ['microsoft-windows-printservice/admin'],
  'printservice-operational': ['microsoft-windows-printservice/operational'],
  'smbclient-security': ['microsoft-windows-smbclient/security'],
  'smbclient-connectivity': ['microsoft-windows-smbclient/connectivity'],
  'smbserver-connectivity': ['microsoft-windows-smbserver/connectivity'],
  'terminalservices-localsessionmanager': ['microsoft-windows-terminalservices-localsessionmanager/operational'],
  'codeintegrity-operational': ['microsoft-windows-codeintegrity/operational'],
  applocker: [
    'microsoft-windows-applocker/msi and script',
    'microsoft-windows-applocker/exe and dll',
    'microsoft-windows-applocker/packaged app-deployment',
    'microsoft-windows-applocker/packaged app-execution',
  ],
  'msexchange-management': ['msexchange management'],
  windefend: [DEFENDER],
  'firewall-as': ['microsoft-windows-windows firewall with advanced security/firewall'],
  'bits-client': ['microsoft-windows-bits-client/operational'],
  'security-mitigations': ['microsoft-windows-security-mitigations/kernel mode', 'microsoft-windows-security-mitigations/user mode'],
  'diagnosis-scripted': ['microsoft-windows-diagnosis-scripted/operational'],
  'shell-core': ['microsoft-windows-shell-core/operational'],
  openssh: ['openssh/operational'],
  ldap: ['microsoft-windows-ldap-client/debug'],
  bitlocker: ['microsoft-windows-bitlocker/bitlocker management'],
  vhdmp: ['microsoft-windows-vhdmp/operational'],
  'appxdeployment-server': ['microsoft-windows-appxdeploymentserver/operational'],
  'lsa-server': ['microsoft-windows-lsa/operational'],
  'appxpackaging-om': ['microsoft-windows-appxpackaging/operational'],
  'dns-client': ['microsoft-windows-dns client events/operational'],
  'appmodel-runtime': ['microsoft-windows-appmodel-runtime/admin'],
  capi2: ['microsoft-windows-capi2/operational'],
  'certificateservicesclient-lifecycle-system': ['microsoft-windows-certificateservicesclient-lifecycle-system/operational'],
  'kernel-shimengine': ['microsoft-windows-kernel-shimengine/operational', 'microsoft-windows-kernel-shimengine/diagnostic'],
  'application-experience': [
    'microsoft-windows-application-experience/program-telemetry',
    'microsoft-windows-application-experience/program-compatibility-assistant',
  ],
  ntfs: ['microsoft-windows-ntfs/operational'],
  'hyper-v-worker': ['microsoft-windows-hyper-v-worker'],
  'kernel-event-tracing': ['microsoft-windows-kernel-eventtracing'],
  sense: ['microsoft-windows-sense/operational'],
  'servicebus-client': ['microsoft-servicebus-client/admin', 'microsoft-servicebus-client/operational'],
  'microsoft-servicebus-client': ['microsoft-servicebus-client/admin', 'microsoft-servicebus-client/operational'],
  'iis-configuration': ['microsoft-iis-configuration/operational'],
  // Not in thor.yml; channel names as Windows writes them.
  'dns-server': ['dns server'],
  'dns-server-analytic': ['microsoft-windows-dns-server/analytical'],
  'driver-framework': ['microsoft-windows-driverframeworks-usermode/operational'],
};

/** Sysmon EventID → categories (thor.yml `conditions: EventID`, rewritten to service sysmon). */
const SYSMON_CATEGORIES: Readonly<Record<number, readonly string[]>> = {
  1: ['process_creation'],
  2: ['file_change'],
  3: ['network_connection'],
  4: ['sysmon_status'],
  5: ['process_termination'],
  6: ['driver_load'],
  7: ['image_load'],
  8: ['create_remote_thread'],
  9: ['raw_access_thread'],
  10: ['process_access'],
  11: ['file_event'],
  12: ['registry_event'],
  13: ['registry_event', 'registry_set'],
  14: ['registry_event', 'registry_rename'],
  15: ['create_stream_hash'],
  16: ['sysmon_status'],
  17: ['pipe_created'],
  18: ['pipe_created'],
  19: ['wmi_event'],
  20: ['wmi_event'],
  21: ['wmi_event'],
  22: ['dns_query'],
  23: ['file_delete'],
  24: ['clipboard_change'],
  25: ['process_tampering'],
  26: ['file_delete_detected'],
  27: ['file_block_executable'],
  28: ['file_block_shredding'],
  29: ['file_executable_detected'],
  255: ['sysmon_error'],
};
const DEFENDER_AV_IDS = new Set([1006, 1007, 1008, 1009, 1010, 1011, 1012, 1017, 1018, 1019, 1115, 1116]);

const CHANNEL_TO_SERVICES = new Map<string, string[]>();
for (const [svc, chans] of Object.entries(WINDOWS_SERVICES)) {
  for (const c of chans) {
    const list = CHANNEL_TO_SERVICES.get(c) ?? [];
    list.push(svc);
    CHANNEL_TO_SERVICES.set(c, list);
  }
}

/** The logsource facets an event offers; a rule matches when each facet it names is present. */
export interface EventLogsource {
  products: string[];
  categories: string[];
  services: string[];
}

export function ruleLogsourceKey(ls: LogsourceSpec): string {
  return `${ls.product?.toLowerCase() ?? '*'}|${ls.category?.toLowerCase() ?? '*'}|${ls.service?.toLowerCase() ?? '*'}`;
}

/** Every rule logsource key the event satisfies (including wildcard facets). */
export function eventLogsourceKeys(ls: EventLogsource): string[] {
  const keys: string[] = [];
  for (const p of [...ls.products, '*']) for (const c of [...ls.categories, '*']) for (const s of [...ls.services, '*']) keys.push(`${p}|${c}|${s}`);
  return keys;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined;
}
function num(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && /^\d+$/.test(v)) return Number(v);
  return undefined;
}

function winlogOf(ev: Record<string, unknown>): Record<string, unknown> | undefined {
  const w = ev['winlog'];
  return w !== null && typeof w === 'object' ? (w as Record<string, unknown>) : undefined;
}
// Direct property reads first (nested Winlogbeat, flat OTRF); getField only for odd shapes.
export function windowsChannel(ev: Record<string, unknown>): string | undefined {
  return str(winlogOf(ev)?.['channel'] ?? ev['Channel'] ?? ev['winlog.channel']);
}
export function windowsEventId(ev: Record<string, unknown>): number | undefined {
  return num(winlogOf(ev)?.['event_id'] ?? ev['EventID'] ?? ev['winlog.event_id'] ?? getField(ev, 'event.code'));
}

/**
 * A cheap string that identifies the event's logsource facets; events with equal signatures
 * select the same rules, so the engine caches the rule bucket per signature.
 * Also sets `ctx.winKind`, which field accessors use for per-branch field mapping.
 */
export function logsourceSignature(ctx: EventCtx): string {
  const ev = ctx.event;
  const channel = windowsChannel(ev);
  if (channel !== undefined) {
    const ch = channel.toLowerCase();
    const eid = windowsEventId(ev);
    ctx.winKind = ch === SECURITY && eid === 4688 ? WinKind.Security4688 : ch === DEFENDER ? WinKind.Defender : WinKind.Other;
    let sig = `w|${ch}|${eid ?? ''}`;
    if (ch === SYSMON && eid === 12) sig += `|${str(ctx.data?.['EventType'] ?? ev['EventType']) ?? ''}`;
    return sig;
  }
  const module = str(getField(ev, 'event.module'))?.toLowerCase() ?? '';
  const dataset = str(getField(ev, 'event.dataset'))?.toLowerCase() ?? '';
  const cat = getField(ev, 'event.category');
  const typ = getField(ev, 'event.type');
  const os = str(getField(ev, 'host.os.type'))?.toLowerCase() ?? '';
  const app = str(getField(ev, 'log.syslog.appname') ?? getField(ev, 'process.name'))?.toLowerCase() ?? '';
  const cloudtrail = ev['eventSource'] !== undefined && ev['eventName'] !== undefined && ev['awsRegion'] !== undefined ? 'ct' : '';
  const syslog = getField(ev, 'log.syslog') !== undefined ? 'sl' : '';
  return `g|${module}|${dataset}|${Array.isArray(cat) ? cat.join(',') : str(cat) ?? ''}|${Array.isArray(typ) ? typ.join(',') : str(typ) ?? ''}|${os}|${app}|${cloudtrail}|${syslog}`;
}

/** Facets of an event, computed from its signature (only once per distinct signature). */
export function classifySignature(sig: string): EventLogsource {
  const parts = sig.split('|');
  if (parts[0] === 'w') {
    const ch = parts[1] ?? '';
    const eid = parts[2] ? Number(parts[2]) : undefined;
    const services = CHANNEL_TO_SERVICES.get(ch) ?? [];
    const categories: string[] = [];
    if (ch === SYSMON && eid !== undefined) {
      categories.push(...(SYSMON_CATEGORIES[eid] ?? []));
      if (eid === 12) {
        const et = (parts[3] ?? '').toLowerCase();
        if (et === 'createkey') categories.push('registry_add');
        if (et === 'deletekey' || et === 'deletevalue') categories.push('registry_delete');
      }
    }
    if (ch === SECURITY && eid === 4688) categories.push('process_creation');
    if (PS_OPERATIONAL.includes(ch) && eid === 4103) categories.push('ps_module');
    if (PS_OPERATIONAL.includes(ch) && eid === 4104) categories.push('ps_script');
    if (ch === PS_CLASSIC && eid === 400) categories.push('ps_classic_start');
    if (ch === PS_CLASSIC && eid === 600) categories.push('ps_classic_provider_start');
    if (ch === PS_CLASSIC && eid === 800) categories.push('ps_classic_script');
    if (ch === DEFENDER && eid !== undefined && DEFENDER_AV_IDS.has(eid)) categories.push('antivirus');
    return { products: ['windows'], categories, services };
  }
  const [, module = '', dataset = '', cat = '', typ = '', os = '', app = '', ct = '', sl = ''] = parts;
  const products = new Set<string>();
  const services = new Set<string>();
  const categories = new Set<string>();
  if (module) products.add(module === 'google_workspace' ? 'gcp' : module === 'o365' ? 'm365' : module);
  if (module === 'auditd' || module === 'system' || sl) products.add('linux');
  if (os === 'linux' || os === 'macos') products.add(os);
  if (dataset) {
    services.add(dataset);
    const dot = dataset.indexOf('.');
    if (dot !== -1) services.add(dataset.slice(dot + 1));
  }
  if (module === 'auditd') services.add('auditd');
  if (dataset === 'system.auth') services.add('auth');
  if (app && (sl || module === 'system')) services.add(app);
  if (ct) {
    products.add('aws');
    services.add('cloudtrail');
  }
  const cats = cat.split(',');
  const types = typ.split(',');
  if (cats.includes('process') && types.includes('start')) categories.add('process_creation');
  if (cats.includes('network') && (types.includes('connection') || types.includes('start'))) categories.add('network_connection');
  if (cats.includes('file') && types.includes('creation')) categories.add('file_event');
  if (cats.includes('web')) categories.add('webserver');
  if (module === 'zeek' && dataset === 'zeek.dns') categories.add('dns');
  return { products: [...products], categories: [...categories], services: [...services] };
}

// ---------------------------------------------------------------------------------------------
// Field resolution

export type Accessor = (ctx: EventCtx) => unknown;
export interface FieldAccessor {
  /** stable id for per-event caches; equal for equal (pipeline, field) pairs */
  id: number;
  field: string;
  get: Accessor;
}

/** Security 4688 carries process creation under its own names; rules use Sysmon's. */
const SECURITY_4688_NAMES: Readonly<Record<string, string>> = {
  Image: 'NewProcessName',
  ParentImage: 'ParentProcessName',
  ProcessId: 'NewProcessId',
  ParentProcessId: 'ProcessId',
  User: 'SubjectUserName',
  LogonId: 'SubjectLogonId',
};
const DEFENDER_NAMES: Readonly<Record<string, string>> = { Signature: 'ThreatName', Filename: 'Path' };

/** Windows System fields live outside event_data; flat exports keep them at the top. */
const WINDOWS_SYSTEM_FIELDS: Readonly<Record<string, readonly string[]>> = {
  EventID: ['winlog.event_id', 'EventID', 'event.code'],
  Channel: ['winlog.channel', 'Channel'],
  Provider_Name: ['winlog.provider_name', 'Provider_Name', 'SourceName', 'event.provider'],
  Computer: ['winlog.computer_name', 'Computer', 'Hostname', 'host.name'],
  Security_UserID: ['winlog.user.identifier', 'Security_UserID', 'UserID'],
};

/** ECS homes of the Sigma names used by generic (Linux/macOS/network) rules. */
const ECS_FALLBACKS: Readonly<Record<string, readonly string[]>> = {
  Image: ['process.executable'],
  CommandLine: ['process.command_line'],
  ParentImage: ['process.parent.executable'],
  ParentCommandLine: ['process.parent.command_line'],
  CurrentDirectory: ['process.working_directory'],
  ProcessId: ['process.pid'],
  ParentProcessId: ['process.parent.pid'],
  User: ['user.name'],
  TargetFilename: ['file.path'],
  DestinationIp: ['destination.ip'],
  DestinationPort: ['destination.port'],
  DestinationHostname: ['destination.domain'],
  SourceIp: ['source.ip'],
  SourcePort: ['source.port'],
  eventName: ['event.action'],
  eventSource: ['event.provider'],
  sourceIPAddress: ['source.ip'],
  awsRegion: ['cloud.region'],
  'id.orig_h': ['source.ip'],
  'id.orig_p': ['source.port'],
  'id.resp_h': ['destination.ip'],
  'id.resp_p': ['destination.port'],
  query: ['dns.question.name'],
};

function readPath(ev: Record<string, unknown>, path: string): unknown {
  const direct = ev[path];
  if (direct !== undefined) return direct;
  return path.includes('.') ? getField(ev, path) : undefined;
}

/** Table lookup that ignores prototype keys ('toString', '__proto__') named by untrusted rules. */
function own<T>(table: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.prototype.hasOwnProperty.call(table, key) ? table[key] : undefined;
}

const registry = new Map<string, FieldAccessor>();

function register(key: string, field: string, get: Accessor): FieldAccessor {
  const found = registry.get(key);
  if (found) return found;
  const acc = { id: registry.size, field, get };
  registry.set(key, acc);
  return acc;
}

function windowsLookup(name: string): Accessor {
  const sys = own(WINDOWS_SYSTEM_FIELDS, name);
  if (sys) {
    return (ctx) => {
      for (const p of sys) {
        const v = readPath(ctx.event, p);
        if (v !== undefined) return v;
      }
      return undefined;
    };
  }
  const nested = `winlog.event_data.${name}`;
  const hasDot = name.includes('.');
  return (ctx) => {
    const d = ctx.data;
    if (d !== undefined) {
      const v = d[name];
      if (v !== undefined) return v;
    }
    const u = ctx.userData;
    if (u !== undefined) {
      const v = u[name];
      if (v !== undefined) return v;
    }
    const top = ctx.event[name];
    if (top !== undefined) return top;
    if (hasDot) return getField(ctx.event, name);
    return d === undefined ? ctx.event[nested] : undefined;
  };
}

/** Resolves a Sigma field name for a rule with the given logsource. */
export function fieldAccessor(ls: LogsourceSpec, field: string): FieldAccessor {
  const product = ls.product?.toLowerCase();
  const category = ls.category?.toLowerCase();
  if (product === 'windows' || (product === undefined && category === 'antivirus')) {
    const base = windowsLookup(field);
    const alias4688 = category === 'process_creation' ? own(SECURITY_4688_NAMES, field) : undefined;
    const aliasAv = category === 'antivirus' ? own(DEFENDER_NAMES, field) : undefined;
    if (alias4688) {
      const mapped = windowsLookup(alias4688);
      return register(`win4688:${field}`, field, (ctx) => (ctx.winKind === WinKind.Security4688 ? mapped(ctx) : base(ctx)));
    }
    if (aliasAv) {
      const mapped = windowsLookup(aliasAv);
      return register(`winav:${field}`, field, (ctx) => (ctx.winKind === WinKind.Defender ? mapped(ctx) ?? base(ctx) : base(ctx)));
    }
    return register(`win:${field}`, field, base);
  }
  const candidates = [field];
  const service = ls.service?.toLowerCase();
  if (product === 'zeek' && service) candidates.push(`zeek.${service}.${field}`);
  if (product === 'aws') candidates.push(`aws.cloudtrail.${field}`);
  if (product === 'azure' && service) candidates.push(`azure.${service}.${field}`);
  candidates.push(...(own(ECS_FALLBACKS, field) ?? []));
  const key = `gen:${candidates.join(',')}`;
  return register(key, field, (ctx) => {
    for (const p of candidates) {
      const v = readPath(ctx.event, p);
      if (v !== undefined) return v;
    }
    return undefined;
  });
}
