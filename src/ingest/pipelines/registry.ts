import type { ElasticResource, ElasticResourceStore } from '../../store/ports.js';
import { isObj, type Obj } from './document.js';
import { compilePipeline, type CompiledPipeline } from './pipeline.js';

/** The pipelines that apply to an index through its template settings. */
export interface IndexPipelines {
  defaultPipeline?: string;
  finalPipeline?: string;
}

interface TemplateRule {
  patterns: string[];
  /** composable templates win over legacy ones; among each, higher priority/order wins */
  composable: boolean;
  priority: number;
  settings: IndexPipelines;
}

export interface TenantPipelines {
  lookup(id: string): CompiledPipeline | Error | undefined;
  forIndex(index: string): IndexPipelines;
}

function glob(pattern: string): RegExp {
  return new RegExp(
    `^${pattern
      .split('*')
      .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
  );
}

/** `index.default_pipeline` in any of the spellings Elasticsearch accepts. */
function pipelineSettings(settings: unknown): IndexPipelines {
  if (!isObj(settings)) return {};
  const index = isObj(settings.index) ? settings.index : {};
  const pick = (k: string): string | undefined => {
    const v = settings[`index.${k}`] ?? index[k] ?? settings[k];
    return typeof v === 'string' && v !== '' ? v : undefined;
  };
  const out: IndexPipelines = {};
  const d = pick('default_pipeline');
  const f = pick('final_pipeline');
  if (d) out.defaultPipeline = d;
  if (f) out.finalPipeline = f;
  return out;
}

function templateRules(
  composable: ElasticResource[],
  legacy: ElasticResource[],
  components: ElasticResource[],
): TemplateRule[] {
  const comp = new Map(components.map((c) => [c.name, c.body]));
  const rules: TemplateRule[] = [];
  for (const t of composable) {
    const b = t.body;
    const patterns = (Array.isArray(b.index_patterns) ? b.index_patterns : [b.index_patterns]).filter(
      (p): p is string => typeof p === 'string',
    );
    let settings: IndexPipelines = {};
    // Component templates first, then the template's own settings override them.
    for (const name of Array.isArray(b.composed_of) ? b.composed_of : []) {
      const c = typeof name === 'string' ? comp.get(name) : undefined;
      if (c && isObj(c.template)) settings = { ...settings, ...pipelineSettings(c.template.settings) };
    }
    if (isObj(b.template)) settings = { ...settings, ...pipelineSettings(b.template.settings) };
    rules.push({
      patterns,
      composable: true,
      priority: typeof b.priority === 'number' ? b.priority : 0,
      settings,
    });
  }
  for (const t of legacy) {
    const b = t.body;
    const patterns = (
      Array.isArray(b.index_patterns) ? b.index_patterns : [b.index_patterns ?? b.template]
    ).filter((p): p is string => typeof p === 'string');
    rules.push({
      patterns,
      composable: false,
      priority: typeof b.order === 'number' ? b.order : 0,
      settings: pipelineSettings(b.settings),
    });
  }
  return rules;
}

/**
 * Compiled pipelines and template rules per tenant, cached briefly: a bulk request must not read
 * the store for every document, and a PUT from another node is seen within `ttlMs`.
 */
export class PipelineRegistry {
  private readonly cache = new Map<string, { at: number; value: Promise<TenantPipelines> }>();

  constructor(
    private readonly store: ElasticResourceStore,
    private readonly ttlMs = 5_000,
  ) {}

  invalidate(tenant: string): void {
    this.cache.delete(tenant);
  }

  forTenant(tenant: string): Promise<TenantPipelines> {
    const hit = this.cache.get(tenant);
    if (hit && Date.now() - hit.at < this.ttlMs) return hit.value;
    const value = this.load(tenant);
    this.cache.set(tenant, { at: Date.now(), value });
    value.catch(() => this.cache.delete(tenant));
    return value;
  }

  private async load(tenant: string): Promise<TenantPipelines> {
    const [pipelines, composable, legacy, components, indexSettings] = await Promise.all([
      this.store.list(tenant, 'pipeline'),
      this.store.list(tenant, 'index_template'),
      this.store.list(tenant, 'template'),
      this.store.list(tenant, 'component_template'),
      this.store.list(tenant, 'index_settings'),
    ]);
    // An index's own settings win over its templates'; names given with `*` apply to every
    // matching index, the more specific (longer) name last so it wins.
    const own = indexSettings
      .map((r) => ({ regex: glob(r.name), length: r.name.length, settings: pipelineSettings(r.body.settings) }))
      .sort((a, b) => a.length - b.length);
    const defs = new Map<string, Obj>(pipelines.map((p) => [p.name, p.body]));
    const compiled = new Map<string, CompiledPipeline | Error>();
    const rules = templateRules(composable, legacy, components).map((r) => ({
      ...r,
      regexes: r.patterns.map(glob),
    }));
    const byIndex = new Map<string, IndexPipelines>();
    return {
      lookup(id) {
        let c = compiled.get(id);
        if (c !== undefined) return c;
        const def = defs.get(id);
        if (def === undefined) return undefined;
        try {
          c = compilePipeline(id, def);
        } catch (e) {
          c = e as Error;
        }
        compiled.set(id, c);
        return c;
      },
      forIndex(index) {
        let r = byIndex.get(index);
        if (r) return r;
        const matching = rules.filter((x) => x.regexes.some((re) => re.test(index)));
        const composableMatch = matching
          .filter((x) => x.composable)
          .sort((a, b) => b.priority - a.priority)[0];
        if (composableMatch) r = composableMatch.settings;
        else
          r = matching
            .sort((a, b) => a.priority - b.priority)
            .reduce<IndexPipelines>((acc, x) => ({ ...acc, ...x.settings }), {});
        for (const o of own) if (o.regex.test(index)) r = { ...r, ...o.settings };
        if (byIndex.size > 10_000) byIndex.clear();
        byIndex.set(index, r);
        return r;
      },
    };
  }
}
