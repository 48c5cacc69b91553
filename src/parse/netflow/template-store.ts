/**
 * Templates per (version, exporter, observation domain / source id, template id), with a TTL
 * since the template was last (re)sent and a size bound that evicts the least recently sent.
 * Also holds data sets that arrived before their template (UDP reorders; exporters restart), in
 * bounded queues, until the template shows up or they expire.
 */
import type { Template } from './template.js';

export interface PacketContext {
  version: 5 | 9 | 10;
  exporter: string;
  exporterIp: string;
  /** v9 source id or IPFIX observation domain id. */
  domain: number;
  /** Export time from the packet header, epoch ms. */
  exportTimeMs: number;
  /** v5/v9 sysUptime in ms at export time. */
  sysUptimeMs?: number;
  sequence: number;
  receivedAtMs: number;
  /** v5 header fields reported under `netflow.exporter`. */
  v5Header?: { engine_type: number; engine_id: number; sampling_interval: number; sampling_mode: number };
}

export interface PendingSet {
  templateId: number;
  body: Buffer;
  ctx: PacketContext;
}

interface StoredTemplate {
  tpl: Template;
  learnedAtMs: number;
}

export interface TemplateStoreLimits {
  ttlMs: number;
  maxTemplates: number;
  maxPendingPerTemplate: number;
  maxPendingBytes: number;
}

export function templateKey(version: number, exporter: string, domain: number, templateId: number): string {
  return `${version}|${exporter}|${domain}|${templateId}`;
}

function domainKey(version: number, exporter: string, domain: number): string {
  return `${version}|${exporter}|${domain}`;
}

export class TemplateStore {
  private readonly templates = new Map<string, StoredTemplate>();
  private readonly pending = new Map<string, PendingSet[]>();
  private pendingBytes = 0;
  private readonly systemInit = new Map<string, number>();

  constructor(private readonly limits: TemplateStoreLimits) {}

  get size(): number {
    return this.templates.size;
  }

  get pendingSetCount(): number {
    let n = 0;
    for (const q of this.pending.values()) n += q.length;
    return n;
  }

  get(version: number, exporter: string, domain: number, templateId: number, nowMs: number): Template | undefined {
    const key = templateKey(version, exporter, domain, templateId);
    const stored = this.templates.get(key);
    if (!stored) return undefined;
    if (nowMs - stored.learnedAtMs > this.limits.ttlMs) {
      this.templates.delete(key);
      return undefined;
    }
    return stored.tpl;
  }

  /** Stores or refreshes a template; returns how many old templates were evicted for room. */
  put(version: number, exporter: string, domain: number, tpl: Template, nowMs: number): number {
    const key = templateKey(version, exporter, domain, tpl.id);
    const existing = this.templates.get(key);
    // Re-inserting moves the key to the end of the Map's order, which is our LRU order.
    if (existing) this.templates.delete(key);
    this.templates.set(key, { tpl: existing && existing.tpl.signature === tpl.signature ? existing.tpl : tpl, learnedAtMs: nowMs });
    let evicted = 0;
    while (this.templates.size > this.limits.maxTemplates) {
      const oldest = this.templates.keys().next();
      if (oldest.done) break;
      this.templates.delete(oldest.value);
      evicted++;
    }
    return evicted;
  }

  /** Removes one template, or every (options) template of a domain when `templateId` is undefined. */
  withdraw(version: number, exporter: string, domain: number, templateId: number | undefined, options: boolean): number {
    if (templateId !== undefined) return this.templates.delete(templateKey(version, exporter, domain, templateId)) ? 1 : 0;
    const prefix = `${domainKey(version, exporter, domain)}|`;
    let n = 0;
    for (const [key, stored] of this.templates) {
      if (key.startsWith(prefix) && stored.tpl.isOptions === options) {
        this.templates.delete(key);
        n++;
      }
    }
    return n;
  }

  /** Queues a data set whose template is unknown. Returns a reason when it had to drop something. */
  enqueue(set: PendingSet): string | undefined {
    const key = templateKey(set.ctx.version, set.ctx.exporter, set.ctx.domain, set.templateId);
    if (set.body.length > this.limits.maxPendingBytes) return `no template ${set.templateId}: data set too large to hold`;
    let dropped: string | undefined;
    while (this.pendingBytes + set.body.length > this.limits.maxPendingBytes) {
      const reason = this.dropOldestAnywhere();
      if (!reason) break;
      dropped = reason;
    }
    let queue = this.pending.get(key);
    if (!queue) {
      queue = [];
      this.pending.set(key, queue);
    }
    if (queue.length >= this.limits.maxPendingPerTemplate) {
      const old = queue.shift()!;
      this.pendingBytes -= old.body.length;
      dropped = `no template ${set.templateId} from ${set.ctx.exporter} domain ${set.ctx.domain}: dropped oldest queued data set (queue full)`;
    }
    queue.push(set);
    this.pendingBytes += set.body.length;
    return dropped;
  }

  /** Takes the queued data sets for a template that just arrived. */
  takePending(version: number, exporter: string, domain: number, templateId: number): PendingSet[] {
    const key = templateKey(version, exporter, domain, templateId);
    const queue = this.pending.get(key);
    if (!queue) return [];
    this.pending.delete(key);
    for (const s of queue) this.pendingBytes -= s.body.length;
    return queue;
  }

  /** Drops queued data sets older than the TTL; returns one reason per dropped set. */
  expirePending(nowMs: number): string[] {
    const reasons: string[] = [];
    for (const [key, queue] of this.pending) {
      while (queue.length > 0 && nowMs - queue[0]!.ctx.receivedAtMs > this.limits.ttlMs) {
        const s = queue.shift()!;
        this.pendingBytes -= s.body.length;
        reasons.push(`no template ${s.templateId} from ${s.ctx.exporter} domain ${s.ctx.domain}: queued data set expired`);
      }
      if (queue.length === 0) this.pending.delete(key);
    }
    return reasons;
  }

  setSystemInit(version: number, exporter: string, domain: number, ms: number): void {
    const key = domainKey(version, exporter, domain);
    if (!this.systemInit.has(key) && this.systemInit.size >= this.limits.maxTemplates) {
      const oldest = this.systemInit.keys().next();
      if (!oldest.done) this.systemInit.delete(oldest.value);
    }
    this.systemInit.set(key, ms);
  }

  getSystemInit(version: number, exporter: string, domain: number): number | undefined {
    return this.systemInit.get(domainKey(version, exporter, domain));
  }

  private dropOldestAnywhere(): string | undefined {
    for (const [key, queue] of this.pending) {
      const s = queue.shift();
      if (queue.length === 0) this.pending.delete(key);
      if (s) {
        this.pendingBytes -= s.body.length;
        return `no template ${s.templateId} from ${s.ctx.exporter} domain ${s.ctx.domain}: dropped queued data set (memory bound)`;
      }
    }
    return undefined;
  }
}
