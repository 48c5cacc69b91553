import { addRelated, obj, setEndpointIp, setEndpointPort, type Doc } from '../doc.js';

/** Programs whose messages are authentication records (Filebeat's system.auth). */
export const AUTH_PROGRAMS = new Set(['sshd', 'sudo', 'su', 'login', 'passwd', 'useradd', 'userdel', 'usermod', 'groupadd', 'groupdel', 'chpasswd', 'systemd-logind', 'gdm-password', 'polkitd', 'pkexec', 'sshd-session']);

const SSH_AUTH = /^(Failed|Accepted|Postponed) (\S+) for (invalid user )?(\S*) from (\S+) port (\d+)(?: (ssh\d?))?(?:: (\S+)(?: (\S+))?)?/;
const SSH_INVALID = /^Invalid user (\S*) from (\S+)(?: port (\d+))?/;
const SSH_CLOSED = /^(?:Connection closed|Disconnected) (?:by|from) (?:(invalid|authenticating|authenticated) user (\S*) |user (\S+) )?(\S+) port (\d+)/;
const PAM_FAIL = /^pam_unix\(([^:)]+):auth\): authentication failure;.*?(?:rhost=(\S*))?(?:\s+user=(\S+))?\s*$/;
const PAM_SESSION = /^pam_unix\(([^:)]+):session\): session (opened|closed) for user ([^\s(]+)(?:\(uid=\d+\))?(?: by ([^\s(]*)(?:\(uid=\d+\))?)?/;
const NEW_USER = /^new user: name=([^,\s]+)/;
const NEW_GROUP = /^new group: name=([^,\s]+)/;
const SU_FAIL = /^FAILED su for (\S+) by (\S+)/;

function mark(e: Doc): void {
  e.module = 'system';
  e.dataset = 'system.auth';
}

function user(doc: Doc, name: string | undefined): void {
  if (!name || name === '-') return;
  obj(doc, 'user').name = name;
  addRelated(doc, 'user', name);
}

function auth(e: Doc, action: string, outcome: 'success' | 'failure' | undefined, type = 'info'): void {
  e.category = ['authentication'];
  e.type = [type];
  e.action = action;
  if (outcome) e.outcome = outcome;
}

/** sudo: `alice : TTY=pts/0 ; PWD=/home/alice ; USER=root ; COMMAND=/bin/ls` (split by hand: no regex backtracking). */
function sudo(doc: Doc, e: Doc, msg: string): boolean {
  const colon = msg.indexOf(' : ');
  if (colon <= 0) return false;
  const who = msg.slice(0, colon).trim();
  if (who.includes(' ')) return false;
  const rest = msg.slice(colon + 3);
  const cmdAt = rest.indexOf('COMMAND=');
  const head = cmdAt >= 0 ? rest.slice(0, cmdAt) : rest;
  const info: Doc = {};
  let error: string | undefined;
  for (const part of head.split(' ; ')) {
    const p = part.trim();
    if (!p) continue;
    const eq = p.indexOf('=');
    const k = eq > 0 ? p.slice(0, eq) : '';
    if (k === 'TTY') info.tty = p.slice(eq + 1);
    else if (k === 'PWD') info.pwd = p.slice(eq + 1);
    else if (k === 'USER') info.user = p.slice(eq + 1);
    else if (k === 'GROUP') info.group = p.slice(eq + 1);
    else if (eq < 0 && error === undefined) error = p;
  }
  if (cmdAt >= 0) info.command = rest.slice(cmdAt + 8).trim();
  if (info.command === undefined && info.tty === undefined) return false;
  if (error) info.error = error;
  obj(obj(doc, 'system'), 'auth').sudo = info;
  user(doc, who);
  if (typeof info.user === 'string') {
    obj(doc, 'user').effective = { name: info.user };
    addRelated(doc, 'user', info.user);
  }
  if (typeof info.command === 'string') obj(doc, 'process').command_line = info.command;
  e.category = ['process'];
  e.type = ['start'];
  e.action = 'sudo';
  e.outcome = error ? 'failure' : 'success';
  return true;
}

/** sshd/sudo/su/pam/useradd lines → `event.dataset=system.auth` with outcome, user and source. */
export function enrichLinuxAuth(doc: Doc, program: string, msg: string): boolean {
  if (msg.length > 4096) return false;
  const e = obj(doc, 'event');
  let m: RegExpExecArray | null;
  if (program === 'sudo') {
    if (sudo(doc, e, msg)) {
      mark(e);
      return true;
    }
  }
  if ((m = SSH_AUTH.exec(msg))) {
    const [, verdict, method, invalid, name, ip, port, , , sig] = m as unknown as (string | undefined)[];
    user(doc, name);
    setEndpointIp(doc, 'source', ip);
    setEndpointPort(doc, 'source', port);
    const ok = verdict === 'Accepted';
    auth(e, `ssh_login`, verdict === 'Postponed' ? undefined : ok ? 'success' : 'failure', 'start');
    const ssh: Doc = { event: verdict, method };
    if (invalid) ssh.invalid_user = true;
    if (sig) ssh.signature = sig;
    obj(obj(doc, 'system'), 'auth').ssh = ssh;
    mark(e);
    return true;
  }
  if ((m = SSH_INVALID.exec(msg))) {
    user(doc, m[1]);
    setEndpointIp(doc, 'source', m[2]);
    setEndpointPort(doc, 'source', m[3]);
    auth(e, 'ssh_login', 'failure', 'start');
    obj(obj(doc, 'system'), 'auth').ssh = { event: 'Invalid', invalid_user: true };
    mark(e);
    return true;
  }
  if ((m = SSH_CLOSED.exec(msg))) {
    user(doc, m[2] ?? m[3]);
    setEndpointIp(doc, 'source', m[4]);
    setEndpointPort(doc, 'source', m[5]);
    const pre = msg.endsWith('[preauth]') || m[1] === 'authenticating' || m[1] === 'invalid';
    e.category = ['authentication'];
    e.type = pre ? ['info'] : ['end'];
    e.action = pre ? 'ssh_connection_closed_preauth' : 'ssh_disconnect';
    mark(e);
    return true;
  }
  if ((m = PAM_FAIL.exec(msg))) {
    user(doc, m[3]);
    setEndpointIp(doc, 'source', m[2]);
    auth(e, 'pam_authentication_failure', 'failure', 'info');
    mark(e);
    return true;
  }
  if ((m = PAM_SESSION.exec(msg))) {
    user(doc, m[3]);
    if (m[4]) addRelated(doc, 'user', m[4]);
    e.category = ['session'];
    e.type = [m[2] === 'opened' ? 'start' : 'end'];
    e.action = `session_${m[2]}`;
    e.outcome = 'success';
    mark(e);
    return true;
  }
  if ((m = SU_FAIL.exec(msg))) {
    user(doc, m[2]);
    obj(doc, 'user').target = { name: m[1] };
    addRelated(doc, 'user', m[1]);
    auth(e, 'su', 'failure', 'start');
    mark(e);
    return true;
  }
  if ((m = NEW_USER.exec(msg)) || (m = NEW_GROUP.exec(msg))) {
    const isUser = msg.startsWith('new user');
    if (isUser) {
      obj(doc, 'user').name = m[1];
      addRelated(doc, 'user', m[1]);
    } else obj(doc, 'group').name = m[1];
    e.category = ['iam'];
    e.type = [isUser ? 'user' : 'group', 'creation'];
    e.action = isUser ? 'user-created' : 'group-created';
    e.outcome = 'success';
    mark(e);
    return true;
  }
  return false;
}
