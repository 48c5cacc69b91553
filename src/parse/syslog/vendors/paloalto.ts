import { addRelated, obj, setEndpointIp, setEndpointPort, toUint, transportName, type Doc } from '../doc.js';
import { parseIsoAt, toIso } from '../time.js';

const TYPES = new Set(['TRAFFIC', 'THREAT', 'SYSTEM', 'CONFIG', 'HIPMATCH', 'CORRELATION', 'USERID', 'AUTH', 'GLOBALPROTECT', 'DECRYPTION', 'TUNNEL', 'SCTP', 'IPTAG']);

/** Cheap shape check: `<n>,YYYY/MM/DD hh:mm:ss,<serial>,<TYPE>,` */
export function looksPanos(msg: string): boolean {
  const c = msg.indexOf(',');
  return c > 0 && c < 12 && msg.charCodeAt(c + 5) === 47 && msg.charCodeAt(c + 8) === 47 && msg.charCodeAt(c + 14) === 58;
}

/** PAN-OS CSV: fields may be double-quoted with `""` inside. Capped at 256 fields. */
export function splitCsv(s: string): string[] {
  const out: string[] = [];
  let i = 0;
  const n = s.length;
  while (i <= n && out.length < 256) {
    if (s.charCodeAt(i) === 34) {
      let v = '';
      let j = i + 1;
      for (;;) {
        const q = s.indexOf('"', j);
        if (q < 0) {
          v += s.slice(j);
          j = n;
          break;
        }
        v += s.slice(j, q);
        if (s.charCodeAt(q + 1) === 34) {
          v += '"';
          j = q + 2;
        } else {
          j = q + 1;
          break;
        }
      }
      out.push(v);
      const c = s.indexOf(',', j);
      i = c < 0 ? n + 1 : c + 1;
    } else {
      const c = s.indexOf(',', i);
      out.push(s.slice(i, c < 0 ? n : c));
      i = c < 0 ? n + 1 : c + 1;
    }
  }
  return out;
}

function panTime(v: string | undefined, tz: string): string | undefined {
  if (!v || v.length < 19) return undefined;
  const p = parseIsoAt(v.replace(/\//g, '-'), 0, tz, true);
  return p ? toIso(p.ms) : undefined;
}

const DENIED = /^(deny|drop|reset-|block|sinkhole)/;

/**
 * Palo Alto Networks PAN-OS syslog (CSV, "default" format) → ECS. Field positions follow the
 * PAN-OS 10.x/11.x log field reference for TRAFFIC and THREAT; other types keep type/serial/time.
 */
export function enrichPanos(doc: Doc, msg: string, tz: string): boolean {
  const f = splitCsv(msg);
  const type = f[3];
  if (type === undefined || !TYPES.has(type)) return false;
  const get = (i: number): string | undefined => {
    const v = f[i];
    return v === undefined || v === '' ? undefined : v;
  };
  const panos: Doc = { type, sub_type: get(4), serial_number: get(2) };
  doc.panw = { panos };
  const e = obj(doc, 'event');
  e.module = 'panw';
  e.dataset = 'panw.panos';
  const o = obj(doc, 'observer');
  o.vendor = 'Palo Alto Networks';
  o.product = 'PAN-OS';
  o.type = 'firewall';
  if (get(2)) o.serial_number = get(2);
  const host = (doc.host as Doc | undefined)?.name;
  if (typeof host === 'string') o.hostname = host;
  const ts = panTime(get(6), tz) ?? panTime(get(1), tz);
  if (ts) doc['@timestamp'] = ts;
  if (type !== 'TRAFFIC' && type !== 'THREAT') return true;

  setEndpointIp(doc, 'source', get(7));
  setEndpointIp(doc, 'destination', get(8));
  const natS = get(9);
  const natD = get(10);
  if (natS && natS !== '0.0.0.0') obj(obj(doc, 'source'), 'nat').ip = natS;
  if (natD && natD !== '0.0.0.0') obj(obj(doc, 'destination'), 'nat').ip = natD;
  if (get(11)) obj(doc, 'rule').name = get(11);
  const su = get(12);
  if (su) {
    obj(doc, 'source').user = { name: su };
    obj(doc, 'user').name = su;
    addRelated(doc, 'user', su);
  }
  const du = get(13);
  if (du) {
    obj(doc, 'destination').user = { name: du };
    addRelated(doc, 'user', du);
  }
  const net = obj(doc, 'network');
  if (get(14)) net.application = get(14);
  panos.virtual_sys = get(15);
  panos.source = { zone: get(16), interface: get(18) };
  panos.destination = { zone: get(17), interface: get(19) };
  if (get(16)) o.ingress = { zone: get(16), interface: { name: get(18) } };
  if (get(17)) o.egress = { zone: get(17), interface: { name: get(19) } };
  panos.session_id = get(22);
  setEndpointPort(doc, 'source', get(24));
  setEndpointPort(doc, 'destination', get(25));
  if (get(29)) net.transport = transportName(get(29)!);
  const action = get(30);
  panos.action = action;
  if (action) e.action = action;
  const denied = action !== undefined && DENIED.test(action);

  if (type === 'TRAFFIC') {
    e.category = ['network'];
    const types = ['connection', denied ? 'denied' : 'allowed'];
    if (get(4) === 'end') types.push('end');
    if (get(4) === 'start') types.push('start');
    e.type = types;
    if (denied) e.outcome = 'failure';
    const bytes = toUint(get(31));
    if (bytes !== undefined) net.bytes = bytes;
    const bs = toUint(get(32));
    if (bs !== undefined) obj(doc, 'source').bytes = bs;
    const br = toUint(get(33));
    if (br !== undefined) obj(doc, 'destination').bytes = br;
    const pk = toUint(get(34));
    if (pk !== undefined) net.packets = pk;
    panos.url_category = get(37);
  } else {
    e.category = ['intrusion_detection'];
    e.type = [denied ? 'denied' : 'info'];
    e.kind = 'alert';
    const misc = get(31);
    if (misc) {
      if (get(4) === 'url') obj(doc, 'url').original = misc;
      else if (get(4) === 'file' || get(4) === 'virus' || get(4) === 'wildfire') obj(doc, 'file').name = misc;
      panos.misc = misc;
    }
    const threat = get(32);
    if (threat) {
      const m = /^(.*?)\s*\((\d+)\)$/.exec(threat);
      panos.threat = { name: m ? m[1] : threat, id: m ? m[2] : threat };
      obj(doc, 'rule').name = m ? m[1] : threat;
    }
    panos.url_category = get(33);
    panos.severity = get(34);
    panos.direction = get(35);
  }
  return true;
}
