import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Logger } from 'pino';
import { parseAllDocuments } from 'yaml';
import type { Bus, Subscription } from '../bus/ports.js';
import { loadRulesFromText } from '../detect/sigma/loader.js';
import type { AuditLog, RuleException, RuleExceptionStore } from '../store/ports.js';
import type { LiveDetection } from './live.js';
import { RulePolicy } from './policy.js';
import { GLOBAL, type RuleSetting, type RuleStore, type UploadedRules } from './ports.js';
import { buildRuleSet, UPLOAD_FILE_PREFIX, type BuiltRuleSet, type RuleSources } from './rule-set.js';

/** Published when rules, settings or exceptions change; every node refreshes (alert "tune" publishes it too). */
export const RULES_CHANGED_SUBJECT = 'control.rules.changed';
/** Token of RULES_CHANGED_SUBJECT for changes that concern every tenant. */
export const ALL_TENANTS_TOKEN = 'all';

export interface RulesChanged {
  /** recompile the rule set (uploads, deletions, SIGHUP), not only refresh settings and exceptions */
  reload?: boolean;
  /** the node that already applied the change itself */
  from?: string;
  reason?: string;
}

export interface Actor {
  name: string;
  ip: string | null;
}

export interface UploadProblem {
  line?: number | undefined;
  reason: string;
}

export type UploadResult =
  | { ok: true; id: string; ruleIds: string[]; replaced: string[] }
  | { ok: false; status: 'invalid' | 'conflict'; problems: UploadProblem[] };

/**
 * Rule management for live detection: the one place that changes which rules run. It rebuilds the
 * rule set from its sources (built-in pack, config paths, SigmaHQ install, uploads in the database),
 * keeps the enable/disable settings and exceptions in the live engine's policy, and audits changes.
 * Rebuilds are serialised, so two uploads never race to swap.
 */
export class RuleManager {
  private readonly node = randomUUID();
  private queue: Promise<unknown> = Promise.resolve();
  private sub: Subscription | undefined;
  private uploads: UploadedRules[] = [];
  reloads = 0;

  constructor(
    private readonly live: LiveDetection,
    private readonly store: RuleStore,
    private readonly exceptions: RuleExceptionStore,
    private readonly audit: AuditLog,
    private readonly bus: Bus,
    private readonly sources: Omit<RuleSources, 'uploads'>,
    private readonly log: Logger,
    /** every tenant id, to read every tenant's exceptions */
    private readonly tenants: () => Promise<string[]>,
  ) {}

  /** Builds the initial set, uploads from the database included; for startDetection. */
  static async initialSet(
    store: RuleStore,
    sources: Omit<RuleSources, 'uploads'>,
  ): Promise<{ built: BuiltRuleSet; uploads: UploadedRules[] }> {
    const uploads = await store.listUploads();
    return { built: buildRuleSet({ ...sources, uploads }), uploads };
  }

  async start(uploads: UploadedRules[]): Promise<void> {
    this.uploads = uploads;
    await this.refreshPolicy();
    this.sub = await this.bus.consume<RulesChanged | undefined>(
      `${RULES_CHANGED_SUBJECT}.>`,
      `rules-${this.node}`,
      async (msg) => {
        const data = msg.data && typeof msg.data === 'object' ? msg.data : {};
        if (data.reload && data.from !== this.node) await this.reload(data.reason ?? 'bus');
        else await this.refreshPolicy();
      },
      { maxDeliver: 3, onDeadLetter: (_m, err) => this.log.error({ err }, 'could not apply a rule change') },
    );
  }

  async stop(): Promise<void> {
    await this.sub?.stop();
    await this.queue.catch(() => undefined);
  }

  get uploadList(): readonly UploadedRules[] {
    return this.uploads;
  }

  private serial<T>(f: () => Promise<T>): Promise<T> {
    const run = this.queue.then(f, f);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Reads settings and exceptions again (all tenants; they are small). */
  refreshPolicy(): Promise<void> {
    return this.serial(async () => {
      const [settings, tenantsExceptions] = await Promise.all([
        this.store.listSettings(),
        this.allExceptions(),
      ]);
      this.live.setPolicy(new RulePolicy(settings, tenantsExceptions));
    });
  }

  private async allExceptions(): Promise<RuleException[]> {
    // The port lists by tenant; the live engine needs every tenant's (a few per tenant at most).
    return this.exceptions.list(await this.tenants());
  }

  /** Recompiles the rule set from its sources and swaps it in. */
  reload(reason: string, actor?: Actor): Promise<{ rules: number; rejected: number }> {
    return this.serial(async () => {
      const uploads = await this.store.listUploads();
      const built = buildRuleSet({ ...this.sources, uploads });
      this.uploads = uploads;
      this.live.swap(built);
      this.reloads++;
      const l = built.loaded;
      const summary = {
        rules: l.rules.length + l.correlations.length + l.filters.length,
        rejected: l.rejected.length,
      };
      this.log.info({ reason, ...summary }, 'rules reloaded');
      if (actor) {
        await this.audit.append({
          actor: actor.name,
          tenant: null,
          action: 'rules.reload',
          target: null,
          ip: actor.ip,
          before: null,
          after: { reason, ...summary },
        });
        await this.announce(ALL_TENANTS_TOKEN, true, reason);
      }
      return summary;
    });
  }

  private async announce(tenant: string | null, reload: boolean, reason: string): Promise<void> {
    const msg: RulesChanged = { reload, from: this.node, reason };
    await this.bus.publish(`${RULES_CHANGED_SUBJECT}.${tenant ?? ALL_TENANTS_TOKEN}`, msg);
  }

  /**
   * Validates and stores an upload (one or more YAML documents), then swaps in the set that
   * includes it. Documents redefining rules of an earlier upload replace that upload, if it has the
   * same scope. Nothing is stored unless every document loads.
   */
  upload(yaml: string, tenant: string | null, actor: Actor): Promise<UploadResult> {
    return this.serial(async () => {
      const ids = documentIds(yaml);
      if (!ids.ok) return { ok: false, status: 'invalid', problems: ids.problems };
      // Syntax and per-document checks first: their lines refer to the uploaded text.
      const alone = loadRulesFromText(yaml, 'upload');
      const own = alone.rejected.filter((r) => !r.reason.startsWith('correlation references unknown rule'));
      if (own.length > 0)
        return {
          ok: false,
          status: 'invalid',
          problems: own.map((r) => ({ line: r.line, reason: r.reason })),
        };
      const uploads = await this.store.listUploads();
      const replaced = uploads.filter((u) => u.ruleIds.some((id) => ids.ids.includes(id)));
      const foreign = replaced.filter((u) => u.tenant !== tenant);
      if (foreign.length > 0)
        return {
          ok: false,
          status: 'conflict',
          problems: foreign.map((u) => ({
            reason: `rule ${u.ruleIds.find((id) => ids.ids.includes(id))} belongs to an upload ${u.tenant === null ? 'for every tenant' : `of tenant ${u.tenant}`}`,
          })),
        };
      const now = new Date().toISOString();
      const first = replaced.find((u) => u.id === ids.ids[0]);
      const upload: UploadedRules = {
        id: ids.ids[0]!,
        tenant,
        yaml,
        ruleIds: ids.ids,
        createdBy: first?.createdBy ?? actor.name,
        createdAt: first?.createdAt ?? now,
        updatedAt: now,
      };
      const candidate = [...uploads.filter((u) => !replaced.includes(u)), upload];
      const built = buildRuleSet({ ...this.sources, uploads: candidate });
      // Across the whole set: duplicate ids with other sources, dangling correlation references.
      const mine = built.loaded.rejected.filter((r) => r.file === `${UPLOAD_FILE_PREFIX}${upload.id}`);
      if (mine.length > 0)
        return {
          ok: false,
          status: 'invalid',
          problems: mine.map((r) => ({ line: r.line, reason: r.reason })),
        };
      await this.store.putUpload(
        upload,
        replaced.map((u) => u.id).filter((id) => id !== upload.id),
      );
      this.uploads = candidate;
      this.live.swap(built);
      this.reloads++;
      await this.audit.append({
        actor: actor.name,
        tenant,
        action: 'rules.upload',
        target: upload.id,
        ip: actor.ip,
        before: replaced.length > 0 ? replaced.map((u) => ({ id: u.id, ruleIds: u.ruleIds })) : null,
        after: { ruleIds: upload.ruleIds, tenant },
      });
      await this.announce(tenant, true, 'upload');
      return { ok: true, id: upload.id, ruleIds: upload.ruleIds, replaced: replaced.map((u) => u.id) };
    });
  }

  /** Deletes the upload that defines `ruleId` (with every rule of that upload). */
  removeUpload(upload: UploadedRules, actor: Actor): Promise<string[]> {
    return this.serial(async () => {
      if (!(await this.store.removeUpload(upload.id))) return [];
      const uploads = await this.store.listUploads();
      this.uploads = uploads;
      this.live.swap(buildRuleSet({ ...this.sources, uploads }));
      this.reloads++;
      await this.audit.append({
        actor: actor.name,
        tenant: upload.tenant,
        action: 'rules.delete',
        target: upload.id,
        ip: actor.ip,
        before: { ruleIds: upload.ruleIds, tenant: upload.tenant },
        after: null,
      });
      await this.announce(upload.tenant, true, 'delete');
      return upload.ruleIds;
    });
  }

  findUpload(ruleId: string): UploadedRules | undefined {
    return this.uploads.find((u) => u.ruleIds.includes(ruleId));
  }

  /** Enables or disables a rule for one tenant or, with `*`, globally. */
  async setEnabled(ruleId: string, tenant: string, enabled: boolean, actor: Actor): Promise<RuleSetting> {
    const s: RuleSetting = {
      ruleId,
      tenant,
      enabled,
      updatedBy: actor.name,
      updatedAt: new Date().toISOString(),
    };
    const before = await this.store.putSetting(s);
    await this.audit.append({
      actor: actor.name,
      tenant: tenant === GLOBAL ? null : tenant,
      action: enabled ? 'rules.enable' : 'rules.disable',
      target: ruleId,
      ip: actor.ip,
      before: before ? { enabled: before.enabled } : null,
      after: { enabled, scope: tenant },
    });
    await this.refreshPolicy();
    await this.announce(tenant === GLOBAL ? null : tenant, false, 'setting');
    return s;
  }

  async addException(e: RuleException, ip: string | null): Promise<void> {
    await this.exceptions.add(e);
    await this.audit.append({
      actor: e.createdBy,
      tenant: e.tenant,
      action: 'rules.exception.create',
      target: e.id,
      ip,
      before: null,
      after: e,
    });
    await this.refreshPolicy();
    await this.announce(e.tenant, false, 'exception');
  }

  async removeException(tenant: string, id: string, actor: Actor): Promise<boolean> {
    const before = (await this.exceptions.list([tenant], { includeExpired: true })).find((x) => x.id === id);
    if (!before || !(await this.exceptions.remove(tenant, id))) return false;
    await this.audit.append({
      actor: actor.name,
      tenant,
      action: 'rules.exception.delete',
      target: id,
      ip: actor.ip,
      before,
      after: null,
    });
    await this.refreshPolicy();
    await this.announce(tenant, false, 'exception');
    return true;
  }

  /** The YAML a rule came from: its upload's text, or its file. */
  yamlOf(ruleId: string, file: string): string | undefined {
    const u = this.findUpload(ruleId);
    if (u) return u.yaml;
    try {
      return readFileSync(file, 'utf8');
    } catch {
      return undefined;
    }
  }
}

/** The `id` of every rule document of an upload, in order; a document without one is a problem. */
export function documentIds(
  yaml: string,
): { ok: true; ids: string[] } | { ok: false; problems: UploadProblem[] } {
  const ids: string[] = [];
  const problems: UploadProblem[] = [];
  let docs;
  try {
    docs = parseAllDocuments(yaml);
  } catch (e) {
    return { ok: false, problems: [{ reason: `not YAML: ${(e as Error).message}` }] };
  }
  const list = Array.isArray(docs) ? docs : [docs];
  const lineAt = (offset: number) => yaml.slice(0, offset).split('\n').length;
  for (const d of list) {
    // The contents' start, not the `---` marker's, is the line a user sees as the document's.
    const start = d.contents?.range[0] ?? d.range[0];
    if (d.errors.length > 0) {
      const err = d.errors[0]!;
      problems.push({ line: err.linePos?.[0]?.line, reason: err.message.split('\n')[0]! });
      continue;
    }
    let v: unknown;
    try {
      v = d.toJS({ maxAliasCount: 100 });
    } catch (e) {
      problems.push({ line: lineAt(start), reason: (e as Error).message.split('\n')[0]! });
      continue;
    }
    if (v === null || v === undefined) continue;
    if (typeof v !== 'object' || Array.isArray(v)) {
      problems.push({ line: lineAt(start), reason: 'a rule document must be a mapping' });
      continue;
    }
    const o = v as Record<string, unknown>;
    if (o['action'] === 'global' || o['action'] === 'reset') continue;
    if (typeof o['id'] === 'string' && o['id'].length > 0) {
      if (ids.includes(o['id']))
        problems.push({ line: lineAt(start), reason: `id ${o['id']} appears twice in the upload` });
      else ids.push(o['id']);
    }
  }
  if (problems.length > 0) return { ok: false, problems };
  if (ids.length === 0)
    return { ok: false, problems: [{ reason: 'no rule document with an id in the upload' }] };
  return { ok: true, ids };
}
