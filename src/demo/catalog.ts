/**
 * Names and addresses for the demo's made-up organisation. Internal addresses are private (RFC 1918);
 * attacker addresses come from the documentation ranges (RFC 5737) and attacker domains end in
 * `.example` (RFC 2606), so a demo never accuses a real host or domain of anything.
 */
import type { Rng } from './random.js';

const COMPANIES = [
  'northwind',
  'fabrikam',
  'tailspin',
  'woodgrove',
  'litware',
  'proseware',
  'adventureworks',
  'wingtip',
  'contoso',
  'lucerne',
];
const FIRST = [
  'anna',
  'ben',
  'carla',
  'david',
  'elena',
  'farid',
  'grace',
  'hugo',
  'ines',
  'jonas',
  'kim',
  'lena',
  'marc',
  'nora',
  'omar',
  'paula',
  'quentin',
  'rosa',
  'sven',
  'tara',
];
const LAST = [
  'smith',
  'martin',
  'garcia',
  'muller',
  'rossi',
  'novak',
  'berg',
  'costa',
  'dubois',
  'kowalski',
  'jensen',
  'silva',
  'weber',
  'moreau',
  'fischer',
  'lopez',
];
const DEPARTMENTS = ['fin', 'hr', 'ops', 'sales', 'mkt', 'legal', 'eng'];
const LINUX_ROLES = ['web', 'bastion', 'app', 'api', 'git', 'ci', 'db'];
const WORDS = [
  'cdn',
  'sync',
  'update',
  'telemetry',
  'static',
  'assets',
  'cloud',
  'files',
  'share',
  'backup',
  'metrics',
  'edge',
  'media',
  'docs',
  'storage',
];

const EXTERNAL_NETS = ['192.0.2', '198.51.100', '203.0.113'];

export interface Org {
  /** NetBIOS domain name, upper case (`NORTHWIND`) */
  netbios: string;
  /** Active Directory DNS domain (`northwind.local`) */
  dnsDomain: string;
  /** first two octets of the internal 10.x network */
  net: string;
}

export function makeOrg(rng: Rng): Org {
  const company = rng.pick(COMPANIES);
  return {
    netbios: company.toUpperCase().slice(0, 15),
    dnsDomain: `${company}.local`,
    net: `10.${rng.int(1, 250)}`,
  };
}

export interface Person {
  first: string;
  last: string;
  /** logon name, `j.smith` style */
  user: string;
}

export function person(rng: Rng): Person {
  const first = rng.pick(FIRST);
  const last = rng.pick(LAST);
  return { first, last, user: `${first[0]}.${last}` };
}

export function internalIp(rng: Rng, org: Org, subnet = rng.int(10, 60)): string {
  return `${org.net}.${subnet}.${rng.int(10, 240)}`;
}

export function externalIp(rng: Rng): string {
  return `${rng.pick(EXTERNAL_NETS)}.${rng.int(2, 254)}`;
}

/** `files-sync.example`-style names for attacker infrastructure. */
export function externalDomain(rng: Rng): string {
  const [a, b] = rng.sample(WORDS, 2);
  return `${a}-${b}${rng.chance(0.5) ? rng.int(1, 99) : ''}.example`;
}

export function linuxHost(rng: Rng): string {
  return `${rng.pick(LINUX_ROLES)}-${String(rng.int(1, 12)).padStart(2, '0')}`;
}

export function workstationName(rng: Rng): string {
  return `WS-${rng.pick(DEPARTMENTS).toUpperCase()}-${String(rng.int(1, 450)).padStart(4, '0')}`;
}

export function serverName(rng: Rng, role: string): string {
  return `SRV-${role.toUpperCase()}-${String(rng.int(1, 9)).padStart(2, '0')}`;
}
