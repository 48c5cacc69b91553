/** Processes of the Windows scenario and the Sysmon events (1, 3, 10, 11, 22) that describe them. */
import type { Rng } from '../random.js';
import type { ImageInfo } from './windows-images.js';
import type { WindowsHost } from './winlogbeat.js';

type Doc = Record<string, unknown>;

export interface Session {
  /** `DOMAIN\user` as Sysmon prints it */
  user: string;
  logonId: string;
  logonGuid: string;
  integrity: 'Medium' | 'High' | 'System';
  terminalSessionId: string;
}

export interface Proc {
  host: WindowsHost;
  image: ImageInfo;
  pid: number;
  guid: string;
  commandLine: string;
  cwd: string;
  session: Session;
  hashes: string;
}

/** Per run (one Rng), so that seeded runs repeat and different runs differ. */
const hashCache = new WeakMap<Rng, Map<string, string>>();

/** Same binary, same hashes within a run, like the real thing. */
function hashesOf(rng: Rng, path: string): string {
  let byPath = hashCache.get(rng);
  if (!byPath) hashCache.set(rng, (byPath = new Map()));
  let h = byPath.get(path);
  if (!h) {
    h = `SHA1=${rng.hex(40).toUpperCase()},MD5=${rng.hex(32).toUpperCase()},SHA256=${rng.hex(64).toUpperCase()},IMPHASH=${rng.hex(32).toUpperCase()}`;
    byPath.set(path, h);
  }
  return h;
}

/** A Sysmon-style GUID: the first group identifies the machine. */
function processGuid(rng: Rng, host: WindowsHost): string {
  return `{${host.guidPrefix}-${rng.hex(4)}-${rng.hex(4)}-${rng.hex(4)}-${rng.hex(12)}}`;
}

export function systemSession(host: WindowsHost): Session {
  return {
    user: 'NT AUTHORITY\\SYSTEM',
    logonId: '0x3e7',
    logonGuid: `{${host.guidPrefix}-03e7-0000-0000-000000000000}`,
    integrity: 'System',
    terminalSessionId: '0',
  };
}

export function userSession(
  rng: Rng,
  host: WindowsHost,
  user: string,
  integrity: Session['integrity'],
  remote = false,
): Session {
  const logonId = `0x${rng.hex(6).replace(/^0+/, '')}`;
  return {
    user,
    logonId,
    logonGuid: processGuid(rng, host),
    integrity,
    terminalSessionId: remote ? '0' : String(rng.int(1, 3)),
  };
}

export function proc(
  rng: Rng,
  host: WindowsHost,
  image: ImageInfo,
  commandLine: string,
  session: Session,
  cwd = 'C:\\Windows\\system32\\',
  path = image.path,
): Proc {
  return {
    host,
    image: { ...image, path },
    pid: rng.int(1000, 12000) & ~3,
    guid: processGuid(rng, host),
    commandLine,
    cwd,
    session,
    hashes: hashesOf(rng, path),
  };
}

/** Sysmon 1, process creation. */
export function processCreate(time: number, child: Proc, parent: Proc): Doc {
  return child.host.sysmon(time, 1, {
    ProcessGuid: child.guid,
    ProcessId: String(child.pid),
    Image: child.image.path,
    FileVersion: child.image.fileVersion,
    Description: child.image.description,
    Product: child.image.product,
    Company: child.image.company,
    OriginalFileName: child.image.originalFileName,
    CommandLine: child.commandLine,
    CurrentDirectory: child.cwd,
    User: child.session.user,
    LogonGuid: child.session.logonGuid,
    LogonId: child.session.logonId,
    TerminalSessionId: child.session.terminalSessionId,
    IntegrityLevel: child.session.integrity,
    Hashes: child.hashes,
    ParentProcessGuid: parent.guid,
    ParentProcessId: String(parent.pid),
    ParentImage: parent.image.path,
    ParentCommandLine: parent.commandLine,
    ParentUser: parent.session.user,
  });
}

/** Sysmon 11, file created. */
export function fileCreate(time: number, p: Proc, target: string): Doc {
  return p.host.sysmon(time, 11, {
    ProcessGuid: p.guid,
    ProcessId: String(p.pid),
    Image: p.image.path,
    TargetFilename: target,
    CreationUtcTime: new Date(time).toISOString().replace('T', ' ').replace('Z', ''),
    User: p.session.user,
  });
}

/** Sysmon 22, DNS query. */
export function dnsQuery(time: number, p: Proc, name: string, answer: string): Doc {
  return p.host.sysmon(time, 22, {
    ProcessGuid: p.guid,
    ProcessId: String(p.pid),
    QueryName: name,
    QueryStatus: '0',
    QueryResults: `::ffff:${answer};`,
    Image: p.image.path,
    User: p.session.user,
  });
}

/** Sysmon 3, outbound TCP connection. */
export function networkConnect(
  rng: Rng,
  time: number,
  p: Proc,
  dst: { ip: string; port: number; hostname?: string },
): Doc {
  return p.host.sysmon(time, 3, {
    ProcessGuid: p.guid,
    ProcessId: String(p.pid),
    Image: p.image.path,
    User: p.session.user,
    Protocol: 'tcp',
    Initiated: 'true',
    SourceIsIpv6: 'false',
    SourceIp: p.host.spec.ip,
    SourceHostname: p.host.fqdn,
    SourcePort: String(rng.ephemeralPort()),
    SourcePortName: '-',
    DestinationIsIpv6: 'false',
    DestinationIp: dst.ip,
    DestinationHostname: dst.hostname ?? '-',
    DestinationPort: String(dst.port),
    DestinationPortName: dst.port === 443 ? 'https' : dst.port === 80 ? 'http' : '-',
  });
}

/** Sysmon 10, one process opening another. */
export function processAccess(
  rng: Rng,
  time: number,
  source: Proc,
  target: Proc,
  grantedAccess: string,
  callTrace: string,
): Doc {
  return source.host.sysmon(time, 10, {
    SourceProcessGUID: source.guid,
    SourceProcessId: String(source.pid),
    SourceThreadId: String(rng.int(1000, 9000)),
    SourceImage: source.image.path,
    TargetProcessGUID: target.guid,
    TargetProcessId: String(target.pid),
    TargetImage: target.image.path,
    GrantedAccess: grantedAccess,
    CallTrace: callTrace,
    SourceUser: source.session.user,
    TargetUser: target.session.user,
  });
}
