/**
 * NetFlow v5 / v9 (RFC 3954) / IPFIX (RFC 7011) datagram decoder. Stateful because v9 and IPFIX
 * data only make sense with templates learned from earlier packets of the same exporter. Never
 * throws: structural problems become strings in `errors`, and every valid record is still kept.
 */
import type { RawEventDoc } from '../../schema/ecs.js';
import { splitHostPort } from './ip-address.js';
import { newFlowKeys, Slot, type FlowKeys } from './flow-keys.js';
import { flowToEcs, optionsToEcs } from './flow-to-ecs.js';
import { compileTemplate, decodeRecord, VARIABLE_LENGTH, type FieldSpec, type Template } from './template.js';
import { TemplateStore, type PacketContext } from './template-store.js';
import { decodeV5 } from './v5.js';

export interface NetflowDecoderOptions {
  /** Templates not re-sent within this time are forgotten (default 1800 s, as Filebeat). */
  templateTtlSeconds?: number;
  /** Upper bound on templates kept over all exporters (default 10 000). */
  maxTemplates?: number;
  /** Data sets held per template while waiting for it (default 32). */
  maxPendingPerTemplate?: number;
  /** Total bytes of data sets held while waiting for templates (default 4 MiB). */
  maxPendingBytes?: number;
  /** Emit options data records as `event.kind: metric` documents (default true). */
  emitOptionsRecords?: boolean;
}

export interface NetflowDecodeResult {
  /**
   * ECS documents: flows (`netflow.type: netflow_flow`) and, unless disabled, options data
   * (`netflow_options`, `event.kind: metric`). Also includes flows from earlier packets whose
   * data was held until a template in this packet arrived.
   */
  records: RawEventDoc[];
  /** One line per problem; the packet's valid parts are still decoded. */
  errors: string[];
  /** (Options) template records accepted from this packet, new or refreshed. */
  templatesLearned: number;
}

export interface NetflowDecoderStats {
  templates: number;
  pendingSets: number;
  /** Data sets dropped for want of a template (queue full, memory bound or expired). */
  noTemplate: number;
}

const V9_HEADER_LENGTH = 20;
const IPFIX_HEADER_LENGTH = 16;
const MAX_FIELDS = 1024;

interface DecodeState {
  records: RawEventDoc[];
  errors: string[];
  templatesLearned: number;
}

export class NetflowDecoder {
  private readonly store: TemplateStore;
  private readonly emitOptions: boolean;
  private readonly keys: FlowKeys = newFlowKeys();
  private noTemplate = 0;

  constructor(opts: NetflowDecoderOptions = {}) {
    const ttl = opts.templateTtlSeconds ?? 1800;
    this.store = new TemplateStore({
      ttlMs: (Number.isFinite(ttl) && ttl > 0 ? ttl : 1800) * 1000,
      maxTemplates: Math.max(1, Math.floor(opts.maxTemplates ?? 10_000)),
      maxPendingPerTemplate: Math.max(0, Math.floor(opts.maxPendingPerTemplate ?? 32)),
      maxPendingBytes: Math.max(0, Math.floor(opts.maxPendingBytes ?? 4 * 1024 * 1024)),
    });
    this.emitOptions = opts.emitOptionsRecords ?? true;
  }

  stats(): NetflowDecoderStats {
    return { templates: this.store.size, pendingSets: this.store.pendingSetCount, noTemplate: this.noTemplate };
  }

  decode(packet: Buffer, exporter: string, receivedAt: Date): NetflowDecodeResult {
    const st: DecodeState = { records: [], errors: [], templatesLearned: 0 };
    try {
      const receivedAtMs = receivedAt.getTime();
      const now = Number.isFinite(receivedAtMs) ? receivedAtMs : Date.now();
      for (const reason of this.store.expirePending(now)) {
        this.noTemplate++;
        st.errors.push(reason);
      }
      if (packet.length < 2) {
        st.errors.push(`netflow from ${exporter}: packet of ${packet.length} bytes has no version`);
        return st;
      }
      const exporterIp = splitHostPort(exporter).ip;
      const version = packet.readUInt16BE(0);
      switch (version) {
        case 5:
          decodeV5(packet, exporter, exporterIp, now, st.records, st.errors);
          break;
        case 9:
          this.decodeV9(packet, exporter, exporterIp, now, st);
          break;
        case 10:
          this.decodeIpfix(packet, exporter, exporterIp, now, st);
          break;
        default:
          st.errors.push(`netflow from ${exporter}: unsupported version ${version}`);
      }
    } catch (err) {
      // Defensive: every read is bounds-checked, so reaching this is a bug; keep what we have.
      st.errors.push(`netflow from ${exporter}: internal decoder error: ${err instanceof Error ? err.message : String(err)}`);
    }
    return st;
  }

  private decodeV9(buf: Buffer, exporter: string, exporterIp: string, now: number, st: DecodeState): void {
    if (buf.length < V9_HEADER_LENGTH) {
      st.errors.push(`netflow v9 from ${exporter}: packet of ${buf.length} bytes is shorter than the 20-byte header`);
      return;
    }
    const ctx: PacketContext = {
      version: 9,
      exporter,
      exporterIp,
      sysUptimeMs: buf.readUInt32BE(4),
      exportTimeMs: buf.readUInt32BE(8) * 1000,
      sequence: buf.readUInt32BE(12),
      domain: buf.readUInt32BE(16),
      receivedAtMs: now,
    };
    let off = V9_HEADER_LENGTH;
    while (off + 4 <= buf.length) {
      const setId = buf.readUInt16BE(off);
      const setLen = buf.readUInt16BE(off + 2);
      if (setLen < 4) {
        st.errors.push(`netflow v9 from ${exporter}: flowset ${setId} at offset ${off} has invalid length ${setLen}`);
        return;
      }
      if (off + setLen > buf.length) {
        st.errors.push(`netflow v9 from ${exporter}: flowset ${setId} at offset ${off} is truncated (${setLen} bytes announced, ${buf.length - off} present)`);
        return;
      }
      const start = off + 4;
      const end = off + setLen;
      if (setId === 0) this.v9Templates(buf, start, end, ctx, st);
      else if (setId === 1) this.v9OptionsTemplates(buf, start, end, ctx, st);
      else if (setId >= 256) this.dataSet(buf, start, end, setId, ctx, st);
      // Flowset ids 2-255 are reserved; skipping them by length is all RFC 3954 asks.
      off = end;
    }
    if (off < buf.length && !allZero(buf, off, buf.length)) {
      st.errors.push(`netflow v9 from ${exporter}: ${buf.length - off} trailing bytes after the last flowset`);
    }
  }

  private v9Templates(buf: Buffer, start: number, end: number, ctx: PacketContext, st: DecodeState): void {
    let p = start;
    while (p + 4 <= end) {
      const id = buf.readUInt16BE(p);
      const count = buf.readUInt16BE(p + 2);
      if (id === 0 && count === 0) return; // padding
      if (p + 4 + count * 4 > end) {
        st.errors.push(`netflow v9 from ${ctx.exporter}: template ${id} with ${count} fields overruns its flowset`);
        return;
      }
      const fields: FieldSpec[] = [];
      for (let i = 0; i < count; i++) {
        const q = p + 4 + i * 4;
        fields.push({ id: buf.readUInt16BE(q), length: buf.readUInt16BE(q + 2), enterprise: 0 });
      }
      p += 4 + count * 4;
      this.learn(id, fields, false, 0, ctx, st);
    }
  }

  private v9OptionsTemplates(buf: Buffer, start: number, end: number, ctx: PacketContext, st: DecodeState): void {
    let p = start;
    while (p + 6 <= end) {
      const id = buf.readUInt16BE(p);
      const scopeLen = buf.readUInt16BE(p + 2);
      const optLen = buf.readUInt16BE(p + 4);
      if (id === 0 && scopeLen === 0 && optLen === 0) return; // padding
      if (scopeLen % 4 !== 0 || optLen % 4 !== 0 || p + 6 + scopeLen + optLen > end) {
        st.errors.push(`netflow v9 from ${ctx.exporter}: options template ${id} has invalid scope/option lengths ${scopeLen}/${optLen}`);
        return;
      }
      const fields: FieldSpec[] = [];
      let q = p + 6;
      for (let i = 0; i < scopeLen / 4; i++, q += 4) {
        fields.push({ id: buf.readUInt16BE(q), length: buf.readUInt16BE(q + 2), enterprise: 0, v9Scope: true });
      }
      for (let i = 0; i < optLen / 4; i++, q += 4) {
        fields.push({ id: buf.readUInt16BE(q), length: buf.readUInt16BE(q + 2), enterprise: 0 });
      }
      p = q;
      this.learn(id, fields, true, scopeLen / 4, ctx, st);
    }
  }

  private decodeIpfix(buf: Buffer, exporter: string, exporterIp: string, now: number, st: DecodeState): void {
    if (buf.length < IPFIX_HEADER_LENGTH) {
      st.errors.push(`ipfix from ${exporter}: packet of ${buf.length} bytes is shorter than the 16-byte header`);
      return;
    }
    const msgLen = buf.readUInt16BE(2);
    if (msgLen < IPFIX_HEADER_LENGTH) {
      st.errors.push(`ipfix from ${exporter}: message length ${msgLen} is shorter than the header`);
      return;
    }
    if (msgLen > buf.length) {
      st.errors.push(`ipfix from ${exporter}: message length ${msgLen} exceeds the ${buf.length} bytes received; decoding what is present`);
    } else if (msgLen < buf.length) {
      st.errors.push(`ipfix from ${exporter}: ${buf.length - msgLen} bytes after the message ignored`);
    }
    const total = Math.min(msgLen, buf.length);
    const ctx: PacketContext = {
      version: 10,
      exporter,
      exporterIp,
      exportTimeMs: buf.readUInt32BE(4) * 1000,
      sequence: buf.readUInt32BE(8),
      domain: buf.readUInt32BE(12),
      receivedAtMs: now,
    };
    let off = IPFIX_HEADER_LENGTH;
    while (off + 4 <= total) {
      const setId = buf.readUInt16BE(off);
      const setLen = buf.readUInt16BE(off + 2);
      if (setLen < 4) {
        st.errors.push(`ipfix from ${exporter}: set ${setId} at offset ${off} has invalid length ${setLen}`);
        return;
      }
      if (off + setLen > total) {
        st.errors.push(`ipfix from ${exporter}: set ${setId} at offset ${off} is truncated (${setLen} bytes announced, ${total - off} present)`);
        return;
      }
      const start = off + 4;
      const end = off + setLen;
      if (setId === 2 || setId === 3) this.ipfixTemplates(buf, start, end, setId === 3, ctx, st);
      else if (setId >= 256) this.dataSet(buf, start, end, setId, ctx, st);
      else st.errors.push(`ipfix from ${exporter}: reserved set id ${setId} skipped`);
      off = end;
    }
    if (off < total) st.errors.push(`ipfix from ${exporter}: ${total - off} bytes after the last set`);
  }

  private ipfixTemplates(buf: Buffer, start: number, end: number, options: boolean, ctx: PacketContext, st: DecodeState): void {
    const headLen = options ? 6 : 4;
    let p = start;
    while (p + 4 <= end) {
      const id = buf.readUInt16BE(p);
      const count = buf.readUInt16BE(p + 2);
      if (count === 0) {
        // Withdrawal (RFC 7011 §8.1): the set id itself as template id means "all of them".
        if (id === 0) {
          if (!allZero(buf, p, end)) st.errors.push(`ipfix from ${ctx.exporter}: invalid template id 0`);
          return;
        }
        const all = id === (options ? 3 : 2);
        if (!all && id < 256) st.errors.push(`ipfix from ${ctx.exporter}: withdrawal of invalid template id ${id}`);
        else this.store.withdraw(10, ctx.exporter, ctx.domain, all ? undefined : id, options);
        p += 4;
        continue;
      }
      if (p + headLen > end) break;
      const scopeCount = options ? buf.readUInt16BE(p + 4) : 0;
      if (options && (scopeCount === 0 || scopeCount > count)) {
        st.errors.push(`ipfix from ${ctx.exporter}: options template ${id} has invalid scope field count ${scopeCount} of ${count}`);
        return;
      }
      let q = p + headLen;
      const fields: FieldSpec[] = [];
      for (let i = 0; i < count; i++) {
        if (q + 4 > end) {
          st.errors.push(`ipfix from ${ctx.exporter}: template ${id} with ${count} fields overruns its set`);
          return;
        }
        let fid = buf.readUInt16BE(q);
        const length = buf.readUInt16BE(q + 2);
        q += 4;
        let enterprise = 0;
        if (fid & 0x8000) {
          if (q + 4 > end) {
            st.errors.push(`ipfix from ${ctx.exporter}: template ${id} enterprise field overruns its set`);
            return;
          }
          fid &= 0x7fff;
          enterprise = buf.readUInt32BE(q);
          q += 4;
        }
        fields.push({ id: fid, length, enterprise });
      }
      p = q;
      this.learn(id, fields, options, scopeCount, ctx, st);
    }
  }

  private learn(id: number, fields: FieldSpec[], options: boolean, scopeCount: number, ctx: PacketContext, st: DecodeState): void {
    const what = ctx.version === 10 ? 'ipfix' : 'netflow v9';
    if (id < 256) {
      st.errors.push(`${what} from ${ctx.exporter}: template id ${id} is reserved (must be >= 256)`);
      return;
    }
    if (fields.length === 0 || fields.length > MAX_FIELDS) {
      st.errors.push(`${what} from ${ctx.exporter}: template ${id} has ${fields.length} fields`);
      return;
    }
    if (ctx.version === 9 && fields.some((f) => f.length === VARIABLE_LENGTH)) {
      st.errors.push(`${what} from ${ctx.exporter}: template ${id} uses variable-length fields, which v9 does not have`);
      return;
    }
    const tpl = compileTemplate(id, fields, options, scopeCount);
    if (tpl.minLength === 0) {
      st.errors.push(`${what} from ${ctx.exporter}: template ${id} describes zero-length records`);
      return;
    }
    this.store.put(ctx.version, ctx.exporter, ctx.domain, tpl, ctx.receivedAtMs);
    st.templatesLearned++;
    for (const pending of this.store.takePending(ctx.version, ctx.exporter, ctx.domain, id)) {
      this.decodeRecords(tpl, pending.body, 0, pending.body.length, pending.ctx, st);
    }
  }

  private dataSet(buf: Buffer, start: number, end: number, setId: number, ctx: PacketContext, st: DecodeState): void {
    const tpl = this.store.get(ctx.version, ctx.exporter, ctx.domain, setId, ctx.receivedAtMs);
    if (!tpl) {
      // Copy: the caller may reuse the datagram buffer once decode() returns.
      const dropped = this.store.enqueue({ templateId: setId, body: Buffer.from(buf.subarray(start, end)), ctx });
      if (dropped) {
        this.noTemplate++;
        st.errors.push(dropped);
      }
      return;
    }
    this.decodeRecords(tpl, buf, start, end, ctx, st);
  }

  private decodeRecords(tpl: Template, buf: Buffer, start: number, end: number, ctx: PacketContext, st: DecodeState): void {
    const keys = this.keys;
    let p = start;
    while (end - p >= tpl.minLength) {
      keys.fill(undefined);
      const nf: Record<string, unknown> = {};
      const next = decodeRecord(tpl, buf, p, end, nf, keys);
      if (next < 0) {
        // Only variable-length records can overrun after the minLength check; fixed ones cannot.
        if (!allZero(buf, p, end)) {
          st.errors.push(`${ctx.version === 10 ? 'ipfix' : 'netflow v9'} from ${ctx.exporter}: record of template ${tpl.id} at offset ${p} is truncated`);
        }
        return;
      }
      p = next;
      if (tpl.isOptions) {
        const init = keys[Slot.SysInitMs];
        if (typeof init === 'number') this.store.setSystemInit(ctx.version, ctx.exporter, ctx.domain, init);
        if (this.emitOptions) st.records.push(optionsToEcs(nf, ctx));
      } else {
        st.records.push(flowToEcs(keys, nf, ctx, ctx.version === 10 ? this.store.getSystemInit(10, ctx.exporter, ctx.domain) : undefined));
      }
    }
  }
}

function allZero(buf: Buffer, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (buf[i] !== 0) return false;
  return true;
}
