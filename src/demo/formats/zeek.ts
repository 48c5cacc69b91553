/**
 * Zeek log records as JSON, the way the json-streaming-logs package writes them for shippers:
 * Zeek's own field names (`id.orig_h`, `request_body_len` ...) plus `_path` and `_write_ts`.
 */
import type { Rng } from '../random.js';

type Doc = Record<string, unknown>;

const UID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** A connection uid: `C` and 17 base62 characters. */
export function zeekUid(rng: Rng, prefix = 'C'): string {
  let s = prefix;
  for (let i = 0; i < 17; i++) s += UID_ALPHABET[rng.int(0, UID_ALPHABET.length - 1)];
  return s;
}

function envelope(path: string, ts: number, sensor: string): Doc {
  return { _path: path, _system_name: sensor, _write_ts: new Date(ts + 5).toISOString(), ts: ts / 1000 };
}

export interface Endpoints {
  uid: string;
  origH: string;
  origP: number;
  respH: string;
  respP: number;
}

function ids(e: Endpoints): Doc {
  return {
    uid: e.uid,
    'id.orig_h': e.origH,
    'id.orig_p': e.origP,
    'id.resp_h': e.respH,
    'id.resp_p': e.respP,
  };
}

const QTYPES: Record<string, number> = { A: 1, CNAME: 5, MX: 15, TXT: 16, AAAA: 28 };

export function dnsRecord(
  sensor: string,
  ts: number,
  e: Endpoints,
  q: { transId: number; query: string; qtype: string; rttMs: number; answers: string[]; ttls: number[] },
): Doc {
  return {
    ...envelope('dns', ts, sensor),
    ...ids(e),
    proto: 'udp',
    trans_id: q.transId,
    rtt: q.rttMs / 1000,
    query: q.query,
    qclass: 1,
    qclass_name: 'C_INTERNET',
    qtype: QTYPES[q.qtype] ?? 1,
    qtype_name: q.qtype,
    rcode: 0,
    rcode_name: 'NOERROR',
    AA: false,
    TC: false,
    RD: true,
    RA: true,
    Z: 0,
    answers: q.answers,
    TTLs: q.ttls,
    rejected: false,
  };
}

export function httpRecord(
  sensor: string,
  ts: number,
  e: Endpoints,
  h: {
    method: string;
    host: string;
    uri: string;
    userAgent: string;
    requestBodyLen: number;
    responseBodyLen: number;
    status: number;
    statusMsg: string;
    origMime?: string;
    respMime?: string;
    rng: Rng;
  },
): Doc {
  return {
    ...envelope('http', ts, sensor),
    ...ids(e),
    trans_depth: 1,
    method: h.method,
    host: h.host,
    uri: h.uri,
    version: '1.1',
    user_agent: h.userAgent,
    request_body_len: h.requestBodyLen,
    response_body_len: h.responseBodyLen,
    status_code: h.status,
    status_msg: h.statusMsg,
    tags: [],
    ...(h.requestBodyLen > 0
      ? { orig_fuids: [zeekUid(h.rng, 'F')], orig_mime_types: [h.origMime ?? 'application/octet-stream'] }
      : {}),
    ...(h.responseBodyLen > 0
      ? { resp_fuids: [zeekUid(h.rng, 'F')], resp_mime_types: [h.respMime ?? 'text/plain'] }
      : {}),
  };
}

export function connRecord(
  sensor: string,
  ts: number,
  e: Endpoints,
  c: {
    proto: 'tcp' | 'udp';
    service: string;
    durationS: number;
    origBytes: number;
    respBytes: number;
    state: string;
    history: string;
  },
): Doc {
  // Packet counts follow from the bytes at a typical MSS; IP bytes add 40 bytes of headers per packet.
  const origPkts = Math.max(1, Math.ceil(c.origBytes / 1448));
  const respPkts = Math.max(1, Math.ceil(c.respBytes / 1448));
  return {
    ...envelope('conn', ts, sensor),
    ...ids(e),
    proto: c.proto,
    service: c.service,
    duration: c.durationS,
    orig_bytes: c.origBytes,
    resp_bytes: c.respBytes,
    conn_state: c.state,
    local_orig: true,
    local_resp: false,
    missed_bytes: 0,
    history: c.history,
    orig_pkts: origPkts,
    orig_ip_bytes: c.origBytes + origPkts * 40,
    resp_pkts: respPkts,
    resp_ip_bytes: c.respBytes + respPkts * 40,
  };
}
