/**
 * EventData → ECS for the Windows events analysts and Sigma rules use most: Sysmon 1/3/5/7/8/10/
 * 11/12/13/14/22 and Security 4624/4625/4672/4688/4720. Field names follow Winlogbeat's ECS
 * mapping; anything not mapped stays reachable under `winlog.event_data.*`.
 */
import { setField } from '../../schema/fields.js';
import { int } from './shapes.js';

type Doc = Record<string, unknown>;
type Data = Record<string, string>;

export const SYSMON_CHANNEL = 'microsoft-windows-sysmon/operational';

interface Classification {
  category: string[];
  type: string[];
  action: string;
  outcome?: 'success' | 'failure';
}

const SYSMON: Record<number, Classification> = {
  1: { category: ['process'], type: ['start'], action: 'process-created' },
  3: { category: ['network'], type: ['connection', 'start'], action: 'network-connection-detected' },
  5: { category: ['process'], type: ['end'], action: 'process-terminated' },
  7: { category: ['process'], type: ['change'], action: 'image-loaded' },
  8: { category: ['process'], type: ['change'], action: 'create-remote-thread' },
  10: { category: ['process'], type: ['access'], action: 'process-accessed' },
  11: { category: ['file'], type: ['creation'], action: 'file-created' },
  12: { category: ['configuration', 'registry'], type: ['change'], action: 'registry-object-added-or-deleted' },
  13: { category: ['configuration', 'registry'], type: ['change'], action: 'registry-value-set' },
  14: { category: ['configuration', 'registry'], type: ['change'], action: 'registry-object-renamed' },
  22: { category: ['network'], type: ['protocol', 'info'], action: 'dns-query' },
};

const SECURITY: Record<number, Classification> = {
  4624: { category: ['authentication'], type: ['start'], action: 'logged-in', outcome: 'success' },
  4625: { category: ['authentication'], type: ['start'], action: 'logon-failed', outcome: 'failure' },
  4672: { category: ['iam'], type: ['admin'], action: 'logged-in-special', outcome: 'success' },
  4688: { category: ['process'], type: ['start'], action: 'created-process', outcome: 'success' },
  4720: { category: ['iam'], type: ['user', 'creation'], action: 'added-user-account', outcome: 'success' },
};

export function classify(channel: string | undefined, eventId: number): Classification | undefined {
  const ch = channel?.toLowerCase();
  if (ch === SYSMON_CHANNEL) return SYSMON[eventId];
  if (ch === 'security') return SECURITY[eventId];
  return undefined;
}

/** Sysmon and Security write "-" for "no value". */
function val(data: Data, key: string): string | undefined {
  const v = data[key];
  return v === undefined || v === '' || v === '-' ? undefined : v;
}

function basename(path: string): string {
  const i = Math.max(path.lastIndexOf('\\'), path.lastIndexOf('/'));
  return i >= 0 ? path.slice(i + 1) : path;
}

function dirname(path: string): string | undefined {
  const i = Math.max(path.lastIndexOf('\\'), path.lastIndexOf('/'));
  return i > 0 ? path.slice(0, i) : undefined;
}

function put(doc: Doc, path: string, value: unknown): void {
  if (value !== undefined) setField(doc, path, value);
}

function setProcess(doc: Doc, prefix: string, exe: string | undefined, pid: number | undefined, cmd: string | undefined, guid?: string): void {
  if (exe) {
    put(doc, `${prefix}.executable`, exe);
    put(doc, `${prefix}.name`, basename(exe));
  }
  put(doc, `${prefix}.pid`, pid);
  put(doc, `${prefix}.command_line`, cmd);
  put(doc, `${prefix}.entity_id`, guid);
}

/** "DOMAIN\user" → name and domain. */
function setUser(doc: Doc, prefix: string, qualified: string | undefined): void {
  if (!qualified) return;
  const i = qualified.indexOf('\\');
  if (i > 0) {
    put(doc, `${prefix}.domain`, qualified.slice(0, i));
    put(doc, `${prefix}.name`, qualified.slice(i + 1));
  } else {
    put(doc, `${prefix}.name`, qualified);
  }
}

/** Sysmon `Hashes`: "SHA1=...,MD5=...,SHA256=...,IMPHASH=...". */
function setHashes(doc: Doc, prefix: string, hashes: string | undefined): void {
  if (!hashes) return;
  for (const part of hashes.split(',')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const algo = part.slice(0, eq).trim().toLowerCase();
    const value = part.slice(eq + 1).trim().toLowerCase();
    if (/^[a-z0-9]+$/.test(algo) && value) put(doc, `${prefix}.hash.${algo}`, value);
  }
}

function mapSysmon(doc: Doc, id: number, d: Data): void {
  setProcess(doc, 'process', val(d, 'Image'), int(val(d, 'ProcessId')), val(d, 'CommandLine'), val(d, 'ProcessGuid'));
  setUser(doc, 'user', val(d, 'User'));
  switch (id) {
    case 1:
      setProcess(doc, 'process.parent', val(d, 'ParentImage'), int(val(d, 'ParentProcessId')), val(d, 'ParentCommandLine'), val(d, 'ParentProcessGuid'));
      put(doc, 'process.working_directory', val(d, 'CurrentDirectory'));
      put(doc, 'process.pe.original_file_name', val(d, 'OriginalFileName'));
      setHashes(doc, 'process', val(d, 'Hashes'));
      break;
    case 3: {
      put(doc, 'source.ip', val(d, 'SourceIp'));
      put(doc, 'source.port', int(val(d, 'SourcePort')));
      put(doc, 'source.domain', val(d, 'SourceHostname'));
      put(doc, 'destination.ip', val(d, 'DestinationIp'));
      put(doc, 'destination.port', int(val(d, 'DestinationPort')));
      put(doc, 'destination.domain', val(d, 'DestinationHostname'));
      put(doc, 'network.transport', val(d, 'Protocol')?.toLowerCase());
      const initiated = val(d, 'Initiated');
      if (initiated) put(doc, 'network.direction', initiated.toLowerCase() === 'true' ? 'egress' : 'ingress');
      break;
    }
    case 7:
      if (val(d, 'ImageLoaded')) {
        put(doc, 'file.path', val(d, 'ImageLoaded'));
        put(doc, 'file.name', basename(val(d, 'ImageLoaded')!));
      }
      setHashes(doc, 'file', val(d, 'Hashes'));
      break;
    case 8:
    case 10:
      setProcess(doc, 'process', val(d, 'SourceImage'), int(val(d, 'SourceProcessId')), undefined, val(d, 'SourceProcessGuid'));
      setProcess(doc, 'process.target', val(d, 'TargetImage'), int(val(d, 'TargetProcessId')), undefined, val(d, 'TargetProcessGuid'));
      break;
    case 11: {
      const path = val(d, 'TargetFilename');
      if (path) {
        put(doc, 'file.path', path);
        put(doc, 'file.name', basename(path));
        put(doc, 'file.directory', dirname(path));
      }
      break;
    }
    case 12:
    case 13:
    case 14: {
      const path = val(d, 'TargetObject');
      if (path) {
        put(doc, 'registry.path', path);
        const i = path.indexOf('\\');
        if (i > 0) put(doc, 'registry.hive', path.slice(0, i));
        put(doc, 'registry.value', basename(path));
      }
      if (id === 13) put(doc, 'registry.data.strings', val(d, 'Details') === undefined ? undefined : [val(d, 'Details')]);
      break;
    }
    case 22:
      put(doc, 'dns.question.name', val(d, 'QueryName'));
      put(doc, 'network.protocol', 'dns');
      break;
  }
}

function mapSecurity(doc: Doc, id: number, d: Data): void {
  switch (id) {
    case 4624:
    case 4625:
      put(doc, 'user.name', val(d, 'TargetUserName'));
      put(doc, 'user.domain', val(d, 'TargetDomainName'));
      put(doc, 'user.id', val(d, 'TargetUserSid'));
      put(doc, 'source.ip', val(d, 'IpAddress'));
      put(doc, 'source.port', int(val(d, 'IpPort')) || undefined);
      put(doc, 'source.domain', val(d, 'WorkstationName'));
      setProcess(doc, 'process', val(d, 'ProcessName'), int(val(d, 'ProcessId')) || undefined, undefined);
      put(doc, 'winlog.logon.type', val(d, 'LogonType'));
      break;
    case 4672:
      put(doc, 'user.name', val(d, 'SubjectUserName'));
      put(doc, 'user.domain', val(d, 'SubjectDomainName'));
      put(doc, 'user.id', val(d, 'SubjectUserSid'));
      break;
    case 4688:
      put(doc, 'user.name', val(d, 'SubjectUserName'));
      put(doc, 'user.domain', val(d, 'SubjectDomainName'));
      put(doc, 'user.id', val(d, 'SubjectUserSid'));
      setProcess(doc, 'process', val(d, 'NewProcessName'), int(val(d, 'NewProcessId')), val(d, 'CommandLine'));
      setProcess(doc, 'process.parent', val(d, 'ParentProcessName'), int(val(d, 'ProcessId')), undefined);
      break;
    case 4720:
      put(doc, 'user.name', val(d, 'SubjectUserName'));
      put(doc, 'user.domain', val(d, 'SubjectDomainName'));
      put(doc, 'user.id', val(d, 'SubjectUserSid'));
      put(doc, 'user.target.name', val(d, 'TargetUserName') ?? val(d, 'SamAccountName'));
      put(doc, 'user.target.domain', val(d, 'TargetDomainName'));
      break;
  }
}

export function mapEcs(doc: Doc, channel: string | undefined, eventId: number, data: Data): void {
  const ch = channel?.toLowerCase();
  if (ch === SYSMON_CHANNEL) mapSysmon(doc, eventId, data);
  else if (ch === 'security') mapSecurity(doc, eventId, data);
}
