import { parseKv } from '../../kv/kv.js';
import { addRelated, obj, setEndpointIp, setEndpointPort, toUint, transportName, type Doc } from '../doc.js';
import { numericOffsetMinutes, parseIsoAt, toIso } from '../time.js';

/** FortiGate lines are key=value with `devname=`/`logid=`; cheap check before the real parse. */
export function looksFortigate(msg: string): boolean {
  return (msg.startsWith('date=') || msg.includes(' devname=') || msg.startsWith('logver=')) && msg.includes('logid=');
}

const DENIED = new Set(['deny', 'block', 'blocked', 'dropped', 'drop', 'reset', 'denied']);

function epochToIso(v: string): string | undefined {
  const n = toUint(v);
  if (n === undefined && v.length <= 19) {
    // nanoseconds do not fit a double exactly; the first 13 digits are ms.
    if (/^\d{19}$/.test(v)) return toIso(Number(v.slice(0, 13)));
    return undefined;
  }
  if (n === undefined) return undefined;
  if (v.length <= 10) return toIso(n * 1000);
  if (v.length <= 13) return toIso(n);
  if (v.length <= 16) return toIso(Math.floor(n / 1000));
  return toIso(Number(v.slice(0, 13)));
}

/** FortiGate (FortiOS) key=value syslog → ECS, raw pairs kept under `fortinet.firewall`. */
export function enrichFortigate(doc: Doc, msg: string, tz: string): boolean {
  const r = parseKv(msg);
  if (!r.ok) return false;
  const kv = r.value;
  if (kv.logid === undefined || (kv.devname === undefined && kv.devid === undefined)) return false;
  doc.fortinet = { firewall: kv };
  const e = obj(doc, 'event');
  e.module = 'fortinet';
  e.dataset = 'fortinet.firewall';
  e.code = kv.logid;
  const o = obj(doc, 'observer');
  o.vendor = 'Fortinet';
  o.product = 'FortiGate';
  o.type = 'firewall';
  if (kv.devname) {
    o.name = kv.devname;
    o.hostname = kv.devname;
    obj(doc, 'host').name ??= kv.devname;
  }
  if (kv.devid) o.serial_number = kv.devid;
  if (kv.srcintf) o.ingress = { interface: { name: kv.srcintf } };
  if (kv.dstintf) o.egress = { interface: { name: kv.dstintf } };

  let ts: string | undefined;
  if (kv.eventtime) ts = epochToIso(kv.eventtime);
  if (!ts && kv.date && kv.time) {
    const zoned = kv.tz !== undefined ? numericOffsetMinutes(kv.tz) : undefined;
    const iso = `${kv.date}T${kv.time}`;
    const p = parseIsoAt(iso + (zoned !== undefined ? kv.tz : ''), 0, tz);
    if (p) ts = toIso(p.ms);
  }
  if (ts) doc['@timestamp'] = ts;
  if (kv.level) obj(doc, 'log').level = kv.level;

  setEndpointIp(doc, 'source', kv.srcip);
  setEndpointPort(doc, 'source', kv.srcport);
  setEndpointIp(doc, 'destination', kv.dstip);
  setEndpointPort(doc, 'destination', kv.dstport);
  if (kv.proto) {
    const net = obj(doc, 'network');
    net.iana_number = kv.proto;
    net.transport = transportName(kv.proto);
  }
  if (kv.service) obj(doc, 'network').protocol = kv.service.toLowerCase();
  const sb = toUint(kv.sentbyte);
  if (sb !== undefined) obj(doc, 'source').bytes = sb;
  const rb = toUint(kv.rcvdbyte);
  if (rb !== undefined) obj(doc, 'destination').bytes = rb;
  const user = kv.user ?? kv.srcuser ?? kv.unauthuser;
  if (user && user !== 'N/A') {
    obj(doc, 'user').name = user;
    addRelated(doc, 'user', user);
  }
  if (kv.policyid) obj(doc, 'rule').id = kv.policyid;
  if (kv.policyname) obj(doc, 'rule').name = kv.policyname;
  if (kv.msg) doc.message = kv.msg;
  else if (kv.logdesc) doc.message = kv.logdesc;
  if (kv.action) e.action = kv.action;
  if (kv.hostname) {
    obj(doc, 'url').domain = kv.hostname;
    addRelated(doc, 'hosts', kv.hostname);
  }

  const action = (kv.action ?? '').toLowerCase();
  const status = (kv.status ?? '').toLowerCase();
  if (kv.type === 'traffic') {
    const denied = DENIED.has(action);
    e.category = ['network'];
    e.type = ['connection', denied ? 'denied' : 'allowed'];
    if (denied) e.outcome = 'failure';
  } else if (kv.type === 'event' && (action === 'login' || action === 'logout' || /login|logon/i.test(kv.logdesc ?? ''))) {
    e.category = ['authentication'];
    e.type = [action === 'logout' ? 'end' : 'start'];
    if (status === 'success') e.outcome = 'success';
    else if (status === 'failed' || status === 'failure') e.outcome = 'failure';
  } else if (kv.type === 'utm' || kv.type === 'ips' || kv.type === 'virus' || kv.type === 'attack') {
    e.category = kv.subtype === 'virus' ? ['malware'] : ['intrusion_detection'];
    e.type = DENIED.has(action) ? ['denied'] : ['info'];
    if (kv.attack) obj(doc, 'rule').name = kv.attack;
    if (kv.virus) obj(doc, 'rule').name = kv.virus;
  }
  return true;
}
