/** Peeks at the start of a TCP payload: an HTTP request line and headers, or a TLS ClientHello's SNI. */

const METHODS = new Set(['GET', 'POST', 'HEAD', 'PUT', 'DELETE', 'OPTIONS', 'PATCH', 'CONNECT', 'TRACE', 'PROPFIND', 'PROPPATCH', 'MKCOL', 'COPY', 'MOVE', 'LOCK', 'UNLOCK', 'SEARCH']);

export interface HttpRequestHead { method: string; uri: string; version: string; host?: string; userAgent?: string }

export function parseHttpRequestHead(payload: Buffer): HttpRequestHead | undefined {
  if (payload.length < 14) return undefined;
  const sp = payload.indexOf(0x20);
  if (sp < 3 || sp > 9) return undefined;
  const method = payload.toString('latin1', 0, sp);
  if (!METHODS.has(method)) return undefined;
  const eol = payload.indexOf('\r\n', sp, 'latin1');
  const lineEnd = eol === -1 ? Math.min(payload.length, 8192) : eol;
  const line = payload.toString('latin1', sp + 1, lineEnd);
  const m = /^(\S+) HTTP\/(\d\.\d)$/.exec(line);
  if (!m) return undefined;
  const head: HttpRequestHead = { method, uri: m[1]!, version: m[2]! };
  if (eol === -1) return head;
  const headEnd = payload.indexOf('\r\n\r\n', eol, 'latin1');
  const headers = payload.toString('latin1', eol + 2, headEnd === -1 ? Math.min(payload.length, 65536) : headEnd);
  for (const h of headers.split('\r\n')) {
    const c = h.indexOf(':');
    if (c <= 0) continue;
    const name = h.slice(0, c).trim().toLowerCase();
    if (name === 'host') head.host = h.slice(c + 1).trim();
    else if (name === 'user-agent') head.userAgent = h.slice(c + 1).trim();
  }
  return head;
}

export interface ClientHello { serverName?: string; version: string }

/** TLS record (type 22) holding a ClientHello (handshake type 1); returns its SNI if present. */
export function parseClientHello(p: Buffer): ClientHello | undefined {
  if (p.length < 43 || p[0] !== 0x16 || p[1] !== 0x03 || p[5] !== 0x01) return undefined;
  const recordEnd = Math.min(p.length, 5 + p.readUInt16BE(3));
  const hsEnd = Math.min(recordEnd, 9 + ((p[6]! << 16) | (p[7]! << 8) | p[8]!));
  const major = p[9]!;
  const minor = p[10]!;
  const version = major === 3 ? (minor === 0 ? 'ssl3.0' : `tls1.${minor - 1}`) : `${major}.${minor}`;
  let off = 11 + 32;
  if (off + 1 > hsEnd) return { version };
  off += 1 + p[off]!; // session id
  if (off + 2 > hsEnd) return { version };
  off += 2 + p.readUInt16BE(off); // cipher suites
  if (off + 1 > hsEnd) return { version };
  off += 1 + p[off]!; // compression methods
  if (off + 2 > hsEnd) return { version };
  const extEnd = Math.min(hsEnd, off + 2 + p.readUInt16BE(off));
  off += 2;
  while (off + 4 <= extEnd) {
    const type = p.readUInt16BE(off);
    const len = p.readUInt16BE(off + 2);
    const body = off + 4;
    if (body + len > extEnd) break;
    if (type === 0 && len >= 5) {
      // server_name_list: list length(2), then entries of type(1) length(2) name.
      let e = body + 2;
      const listEnd = Math.min(body + len, body + 2 + p.readUInt16BE(body));
      while (e + 3 <= listEnd) {
        const nameType = p[e]!;
        const nlen = p.readUInt16BE(e + 1);
        if (e + 3 + nlen > listEnd) break;
        if (nameType === 0) return { version, serverName: p.toString('latin1', e + 3, e + 3 + nlen) };
        e += 3 + nlen;
      }
    }
    off = body + len;
  }
  return { version };
}
