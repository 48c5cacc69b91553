import { addRelated, obj, setEndpointIp, setEndpointPort, transportName, type Doc } from '../doc.js';

// Fixed, anchored patterns over one message: every quantifier is bounded by a delimiter, so no
// catastrophic backtracking; callers also cap the message length.
const ASA_HEAD = /^%(ASA|FTD|PIX|FWSM)-(\d)-(\d{6}):\s?/;
const IOS_HEAD = /^%([A-Z0-9_]+(?:-[A-Z0-9_]+)?)-(\d)-([A-Z0-9_]+):\s?/;
const EP = String.raw`([^:\s]+):([^/\s]+)/(\d+)`;
const ASA_BUILT = new RegExp(String.raw`^Built (inbound|outbound) (\S+) connection (\d+) for ${EP}(?: \(\S+\))?\S* to ${EP}`);
const ASA_TEARDOWN = new RegExp(String.raw`^Teardown (\S+) connection (\d+) for ${EP} to ${EP}(?: duration (\S+) bytes (\d+))?`);
const ASA_DENY_ACL = /^Deny (\S+) src ([^:\s]+):([^/\s]+)(?:\/(\d+))? dst ([^:\s]+):([^/\s]+)(?:\/(\d+))?/;
const ASA_FROM_TO = /from ([^:/\s]+:)?([0-9A-Fa-f.:]+)\/(\d+) to ([^:/\s]+:)?([0-9A-Fa-f.:]+)\/(\d+)/;
const ASA_ACL_LIST = /^access-list (\S+) (permitted|denied|est-allowed) (\S+) [^/\s]+\/([^(\s]+)\((\d+)\)(?:\([^)]*\))? -> [^/\s]+\/([^(\s]+)\((\d+)\)/;
const ASA_LOGIN = /^Login (permitted|denied) from ([^/\s]+)\/(\d+) to ([^:\s]+):([^/\s]+)\/(\S+) for user "([^"]*)"/;
const ASA_AAA = /^AAA user authentication (Successful|Rejected)\b.*?: user = ([^:]*?)(?: :|$)/;
const ASA_AAA_IP = /user IP = ([0-9A-Fa-f.:]+)/;
const ASA_CMD = /^User '([^']*)' executed the '([^']*)' command/;
const ACL_GROUP = /by access-group "([^"]*)"/;

const IOS_ACL = /^list (\S+) (permitted|denied) (\S+) ([0-9A-Fa-f.:]+)(?:\((\d+)\))?(?: \([^)]*\))? -> ([0-9A-Fa-f.:]+)(?:\((\d+)\))?/;
const IOS_ACL_STD = /^list (\S+) (permitted|denied) ([0-9A-Fa-f.:]+)/;
const IOS_LOGIN = /\[user: ([^\]]*)\] \[Source: ([^\]]*)\](?: \[localport: (\d+)\])?/;
const IOS_CONFIG = /^Configured from (\S+) by (\S+)(?: on (\S+))?(?: \(([0-9A-Fa-f.:]+)\))?/;

function observer(doc: Doc, product: string, type: string): void {
  const o = obj(doc, 'observer');
  o.vendor = 'Cisco';
  o.product = product;
  o.type = type;
  const host = (doc.host as Doc | undefined)?.name;
  if (typeof host === 'string') o.hostname = host;
}

function event(doc: Doc): Doc {
  return obj(doc, 'event');
}

function setUser(doc: Doc, name: string | undefined): void {
  if (!name) return;
  obj(doc, 'user').name = name;
  addRelated(doc, 'user', name);
}

function connection(doc: Doc, allowed: boolean | undefined): void {
  const e = event(doc);
  e.category = ['network'];
  e.type = allowed === undefined ? ['connection'] : ['connection', allowed ? 'allowed' : 'denied'];
}

function ingress(doc: Doc, srcIf: string | undefined, dstIf: string | undefined): void {
  const o = obj(doc, 'observer');
  if (srcIf) o.ingress = { interface: { name: srcIf } };
  if (dstIf) o.egress = { interface: { name: dstIf } };
}

/** Cisco ASA / FTD: `%ASA-6-302013: Built ...`. Returns false when `msg` is not one. */
export function enrichCiscoAsa(doc: Doc, msg: string): boolean {
  const head = ASA_HEAD.exec(msg);
  if (!head) return false;
  const [, product, level, id] = head as unknown as [string, string, string, string];
  const text = msg.slice(head[0].length);
  observer(doc, product, 'firewall');
  const e = event(doc);
  e.code = id;
  e.module = 'cisco';
  e.dataset = product === 'FTD' ? 'cisco.ftd' : 'cisco.asa';
  doc.message = text;
  const ns = product.toLowerCase();
  doc.cisco = { [ns]: { message_id: id, severity: Number(level) } };
  let m: RegExpExecArray | null;
  if ((m = ASA_BUILT.exec(text))) {
    const [, dir, proto, cid, if1, ip1, p1, if2, ip2, p2] = m as unknown as string[];
    // "Built outbound ... for outside:X to inside:Y": the initiator is Y (inside); inbound: X.
    const outbound = dir === 'outbound';
    const [sIf, sIp, sP, dIf, dIp, dP] = outbound ? [if2, ip2, p2, if1, ip1, p1] : [if1, ip1, p1, if2, ip2, p2];
    setEndpointIp(doc, 'source', sIp);
    setEndpointPort(doc, 'source', sP);
    setEndpointIp(doc, 'destination', dIp);
    setEndpointPort(doc, 'destination', dP);
    ingress(doc, sIf, dIf);
    obj(doc, 'network').transport = transportName(proto!);
    obj(doc, 'network').direction = outbound ? 'outbound' : 'inbound';
    e.action = 'firewall-rule';
    connection(doc, true);
    (e.type as string[]).push('start');
    (doc.cisco as Doc)[ns] = { ...((doc.cisco as Doc)[ns] as Doc), connection_id: cid };
  } else if ((m = ASA_TEARDOWN.exec(text))) {
    const [, proto, cid, if1, ip1, p1, if2, ip2, p2, , bytes] = m as unknown as (string | undefined)[];
    setEndpointIp(doc, 'source', ip1);
    setEndpointPort(doc, 'source', p1);
    setEndpointIp(doc, 'destination', ip2);
    setEndpointPort(doc, 'destination', p2);
    ingress(doc, if1, if2);
    obj(doc, 'network').transport = transportName(proto!);
    if (bytes) obj(doc, 'network').bytes = Number(bytes);
    e.action = 'connection-finished';
    connection(doc, undefined);
    (e.type as string[]).push('end');
    (doc.cisco as Doc)[ns] = { ...((doc.cisco as Doc)[ns] as Doc), connection_id: cid };
  } else if ((m = ASA_DENY_ACL.exec(text))) {
    const [, proto, sIf, sIp, sP, dIf, dIp, dP] = m as unknown as (string | undefined)[];
    setEndpointIp(doc, 'source', sIp);
    setEndpointPort(doc, 'source', sP);
    setEndpointIp(doc, 'destination', dIp);
    setEndpointPort(doc, 'destination', dP);
    ingress(doc, sIf, dIf);
    obj(doc, 'network').transport = transportName(proto!);
    e.action = 'deny';
    e.outcome = 'failure';
    connection(doc, false);
    const acl = ACL_GROUP.exec(text);
    if (acl) obj(doc, 'rule').name = acl[1];
  } else if ((m = ASA_ACL_LIST.exec(text))) {
    const [, acl, verdict, proto, sIp, sP, dIp, dP] = m as unknown as string[];
    setEndpointIp(doc, 'source', sIp);
    setEndpointPort(doc, 'source', sP);
    setEndpointIp(doc, 'destination', dIp);
    setEndpointPort(doc, 'destination', dP);
    obj(doc, 'network').transport = transportName(proto!);
    obj(doc, 'rule').name = acl;
    const allowed = verdict !== 'denied';
    e.action = allowed ? 'permit' : 'deny';
    connection(doc, allowed);
  } else if ((m = ASA_LOGIN.exec(text))) {
    const [, verdict, sIp, sP, , dIp, svc, user] = m as unknown as string[];
    setEndpointIp(doc, 'source', sIp);
    setEndpointPort(doc, 'source', sP);
    setEndpointIp(doc, 'destination', dIp);
    setUser(doc, user);
    e.category = ['authentication'];
    e.type = ['start'];
    e.action = 'login';
    e.outcome = verdict === 'permitted' ? 'success' : 'failure';
    obj(doc, 'network').protocol = svc;
  } else if ((m = ASA_AAA.exec(text))) {
    setUser(doc, m[2]!.trim());
    const ip = ASA_AAA_IP.exec(text);
    if (ip) setEndpointIp(doc, 'source', ip[1]);
    e.category = ['authentication'];
    e.type = ['info'];
    e.action = 'aaa-authentication';
    e.outcome = m[1] === 'Successful' ? 'success' : 'failure';
  } else if ((m = ASA_CMD.exec(text))) {
    setUser(doc, m[1]);
    e.category = ['configuration'];
    e.type = ['change'];
    e.action = 'command-executed';
    obj(doc, 'process').command_line = m[2];
  } else if ((m = ASA_FROM_TO.exec(text))) {
    // 106001/106006/106015 etc: "... denied from A/p to B/p ..."
    setEndpointIp(doc, 'source', m[2]);
    setEndpointPort(doc, 'source', m[3]);
    setEndpointIp(doc, 'destination', m[5]);
    setEndpointPort(doc, 'destination', m[6]);
    const denied = /\b(?:[Dd]eny|denied|[Dd]rop(?:ped)?)\b/.test(text);
    if (denied) {
      e.action = 'deny';
      e.outcome = 'failure';
    }
    connection(doc, denied ? false : undefined);
    const proto = /\b(TCP|UDP|ICMP|tcp|udp|icmp)\b/.exec(text);
    if (proto) obj(doc, 'network').transport = proto[1]!.toLowerCase();
  }
  return true;
}

/** Cisco IOS / IOS-XE: `%SEC-6-IPACCESSLOGP: list 101 denied tcp ...`. */
export function enrichCiscoIos(doc: Doc, msg: string): boolean {
  const head = IOS_HEAD.exec(msg);
  if (!head) return false;
  const [, facility, level, mnemonic] = head as unknown as [string, string, string, string];
  const text = msg.slice(head[0].length);
  observer(doc, 'IOS', 'router');
  const e = event(doc);
  e.code = `${facility}-${level}-${mnemonic}`;
  e.module = 'cisco';
  e.dataset = 'cisco.ios';
  doc.message = text;
  doc.cisco = { ios: { facility, severity: Number(level), mnemonic } };
  let m: RegExpExecArray | null;
  if (facility === 'SEC' && mnemonic.startsWith('IPACCESSLOG')) {
    if ((m = IOS_ACL.exec(text))) {
      const [, acl, verdict, proto, sIp, sP, dIp, dP] = m as unknown as (string | undefined)[];
      setEndpointIp(doc, 'source', sIp);
      setEndpointPort(doc, 'source', sP);
      setEndpointIp(doc, 'destination', dIp);
      setEndpointPort(doc, 'destination', dP);
      obj(doc, 'network').transport = transportName(proto!);
      obj(doc, 'rule').name = acl;
      e.action = verdict === 'permitted' ? 'permit' : 'deny';
      connection(doc, verdict === 'permitted');
      const pk = /, (\d+) packets?/.exec(text);
      if (pk) obj(doc, 'source').packets = Number(pk[1]);
    } else if ((m = IOS_ACL_STD.exec(text))) {
      setEndpointIp(doc, 'source', m[3]);
      obj(doc, 'rule').name = m[1];
      e.action = m[2] === 'permitted' ? 'permit' : 'deny';
      connection(doc, m[2] === 'permitted');
    }
  } else if (facility === 'SEC_LOGIN' && (m = IOS_LOGIN.exec(text))) {
    setUser(doc, m[1]);
    setEndpointIp(doc, 'source', m[2]);
    if (m[3]) setEndpointPort(doc, 'destination', m[3]);
    e.category = ['authentication'];
    e.type = ['start'];
    e.action = 'login';
    e.outcome = mnemonic.includes('SUCCESS') ? 'success' : mnemonic.includes('FAIL') ? 'failure' : 'unknown';
  } else if (facility === 'SYS' && mnemonic === 'CONFIG_I' && (m = IOS_CONFIG.exec(text))) {
    setUser(doc, m[2]);
    if (m[4]) setEndpointIp(doc, 'source', m[4]);
    e.category = ['configuration'];
    e.type = ['change'];
    e.action = 'configured';
  }
  return true;
}
