/**
 * Response automation as a capability: the playbook engine with its actions, the triggers that
 * start runs (alerts, cases, schedules, webhooks), the approval sweeper, and the API.
 */
import { readdirSync, readFileSync } from 'node:fs';
import type { IpAsnTable } from '../enrich/ip-asn.js';
import { loadNetworkTables } from '../enrich/network.js';
import path from 'node:path';
import {
  ALERTS_CREATED_SUBJECT,
  ALERTS_UPDATED_SUBJECT,
  AnnouncingAlertActions,
  type AlertUpdated,
} from '../alerts/service.js';
import { playbookRoutes } from '../api/routes/playbooks.js';
import type { Subscription } from '../bus/ports.js';
import type { Capability, CapabilityContext } from '../capability.js';
import { CaseService } from '../cases/case-service.js';
import { EvidenceVault } from '../cases/evidence-vault.js';
import { BUILTIN_TEMPLATES_DIR, loadTemplateDir } from '../cases/templates.js';
import { commandAction } from './actions/command.js';
import { logAction, notifyAction } from './actions/builtin.js';
import { httpAction } from './actions/http.js';
import { socActions } from './actions/soc.js';
import { linkKey } from './approval-link.js';
import { approvalNotifier } from './approval-notice.js';
import {
  BUILTIN_CONNECTORS_DIR,
  connectorAction,
  connectorSettingsSchema,
  loadConnectors,
  type ConnectorSettings,
} from './connectors.js';
import { parsePlaybook, type Playbook } from './definition.js';
import { PlaybookEngine } from './engine.js';
import type { Value } from './expr/ast.js';
import { timeToContainSeconds } from './metrics.js';
import { runEventHooks } from './run-events.js';
import type { PlaybookRun } from './ports.js';
import type { Action } from './runner.js';
import { resolveSecretKey, SecretVault } from './secrets.js';
import { fireDueSchedules } from './scheduler.js';
import { alertMatches, caseMatches } from './triggers.js';
import { runsDuty } from '../cluster/roles.js';
import { intelLookupFrom } from '../alerts/intel-severity.js';
import type { IntelService } from '../intel/service.js';

export const EXAMPLES_DIR = path.resolve(import.meta.dirname, '..', '..', 'templates', 'playbooks');

/** Analyst minutes an action saves when a playbook does it: the basis of "time saved". */
export const MINUTES_SAVED: Record<string, number> = {
  'intel.lookup': 3,
  'search.events': 5,
  'sigma.hunt': 15,
  'alert.update': 1,
  'alert.comment': 1,
  'case.create': 5,
  'case.update': 1,
  'case.comment': 1,
  'case.task': 1,
  'exception.add': 3,
  'indicator.add': 2,
  'assign.rotation': 1,
  'assign.oncall': 1,
  notify: 2,
  http: 5,
  connector: 10,
  command: 5,
  log: 0,
};

const SCHEDULE_TICK_MS = 30_000;

export function readExamples(dir = EXAMPLES_DIR): Array<{ file: string; yaml: string }> {
  try {
    return readdirSync(dir)
      .filter((f) => /\.ya?ml$/.test(f))
      .sort()
      .map((f) => ({ file: f, yaml: readFileSync(path.join(dir, f), 'utf8') }));
  } catch {
    return [];
  }
}

export interface PlaybookOptions {
  /** The intel service of this node, if it runs one: indicators added by playbooks go through it. */
  intel?: Pick<IntelService, 'addIndicators'>;
  /** Address → AS table (enrichment.ipAsnFiles), loaded once per process by the caller. */
  network?: IpAsnTable;
}

export async function startPlaybooks(
  ctx: CapabilityContext,
  opts: PlaybookOptions = {},
): Promise<Capability> {
  const { storage, bus, log, metrics, config } = ctx;
  const store = storage.playbooks;
  const key = resolveSecretKey(process.env.VIGIL_SECRET_KEY, config.playbooks.secretKey, config.dataDir);
  const minutesSaved = { ...MINUTES_SAVED, ...config.playbooks.minutesSaved };
  const vault = new SecretVault(storage.secrets, key);
  const { connectors, rejected } = loadConnectors(BUILTIN_CONNECTORS_DIR);
  for (const r of rejected) log.warn({ file: r.file, reason: r.reason }, 'connector template rejected');
  const network = opts.network ?? loadNetworkTables(config.enrichment.ipAsnFiles, log);

  const { templates } = loadTemplateDir(BUILTIN_TEMPLATES_DIR);
  const cases = new CaseService({
    cases: storage.cases,
    alerts: storage.alerts,
    events: storage.events,
    audit: storage.audit,
    identity: storage.identity,
    vault: new EvidenceVault(path.join(config.dataDir, 'evidence'), config.cases.evidenceMaxBytes),
    builtinTemplates: templates,
    notify: (n) => bus.publish(`notifications.${n.tenant}`, n),
    publish: (subject, data) => bus.publish(subject, data),
  });
  // Announcing: what a playbook changes on an alert is on the bus like an analyst's change.
  const alertActions = new AnnouncingAlertActions(
    storage.alerts,
    storage.events,
    storage.audit,
    storage.ruleExceptions,
    bus,
  );
  const connectorSettings = async (tenant: string, id: string): Promise<ConnectorSettings | undefined> => {
    const v = await store.getState(tenant, `connector:${id}`);
    const r = connectorSettingsSchema.safeParse(v);
    return r.success ? r.data : undefined;
  };
  const actionList: Action[] = [
    logAction,
    notifyAction(bus),
    httpAction(vault),
    connectorAction({ connectors, settings: connectorSettings, vault }),
    commandAction(process.env),
    ...socActions({
      alerts: storage.alerts,
      alertActions,
      cases,
      caseStore: storage.cases,
      exceptions: storage.ruleExceptions,
      events: storage.events,
      audit: storage.audit,
      bus,
      store,
      // No cache: a playbook looks right after an analyst adds an indicator.
      intel: intelLookupFrom(storage.intel, 0),
      // Without the service on this node, straight to the store: other nodes' indexes reload on change.
      rules: storage.rules,
      network,
      addIndicators: (items, by) =>
        opts.intel ? opts.intel.addIndicators(items, by) : storage.intel.upsertIndicators(items),
    }),
  ];
  const actions = new Map(actionList.map((a) => [a.name, a]));

  const runsTotal = metrics.registry.counter('vigil_playbook_runs_total', 'Playbook runs ended, by status');
  const runSeconds = metrics.registry.histogram(
    'vigil_playbook_run_duration_seconds',
    'Playbook run duration from start to end (approval waits included)',
    [0.01, 0.1, 0.5, 1, 5, 30, 60, 300, 3600, 86_400],
  );
  const savedSeconds = metrics.registry.counter(
    'vigil_playbook_time_saved_seconds_total',
    'Estimated analyst time saved by playbook actions (constant table per action), by action',
  );
  const containSeconds = metrics.registry.histogram(
    'vigil_playbook_time_to_contain_seconds',
    'From the alert that started a run to its first successful containment (connector step with undo)',
    [10, 30, 60, 300, 900, 1800, 3600, 4 * 3600, 86_400],
  );
  const live = runEventHooks((subject, e) => bus.publish(subject, e));
  const engine: PlaybookEngine = new PlaybookEngine(store, actions, log, undefined, {
    onRunStart: live.onRunStart,
    onStep: live.onStep,
    onWaiting: live.onWaiting,
    onRunEnd: (run: PlaybookRun) => {
      live.onRunEnd(run);
      runsTotal.inc({ status: run.status, dry_run: String(run.dryRun) });
      if (run.endedAt)
        runSeconds.observe((Date.parse(run.endedAt) - Date.parse(run.startedAt)) / 1000, {
          playbook: run.playbookId,
        });
      if (run.dryRun) return;
      void store
        .steps(run.id)
        .then((steps) => {
          const s = timeToContainSeconds(run, steps);
          if (s !== undefined) containSeconds.observe(s, { playbook: run.playbookId });
        })
        .catch(() => undefined);
    },
    onActionDone: (run, action) => {
      if (!run.dryRun) savedSeconds.inc({ action }, (minutesSaved[action] ?? 0) * 60);
    },
    onApprovalRequested: approvalNotifier({
      store,
      linkKey: linkKey(key),
      publicUrl: config.http.publicUrl,
      publish: (subject, n) => bus.publish(subject, n),
      playbookName: async (tenant, id): Promise<string | undefined> =>
        (await engine.playbook(tenant, id))?.name,
    }),
  });
  if (!config.http.publicUrl)
    log.info('http.publicUrl is not set: approval requests are sent without signed links');

  // Parsed definitions, per tenant, reused while the stored version is the same.
  const parsedCache = new Map<string, { version: number; pb: Playbook | undefined }>();
  const playbooksOf = async (tenant: string): Promise<Playbook[]> => {
    const out: Playbook[] = [];
    for (const row of await store.listPlaybooks(tenant)) {
      const k = `${tenant}\n${row.id}`;
      let hit = parsedCache.get(k);
      if (!hit || hit.version !== row.version) {
        const p = parsePlaybook(row.yaml);
        hit = { version: row.version, pb: p.ok ? p.playbook : undefined };
        parsedCache.set(k, hit);
      }
      if (hit.pb) out.push(hit.pb);
    }
    return out;
  };

  /** Starts a playbook once per fact: a redelivered bus message does not start it again. */
  const startOnce = async (
    tenant: string,
    pb: Playbook,
    fact: string,
    trigger: PlaybookRun['trigger'],
  ): Promise<void> => {
    if (!(await store.useToken(`trigger:${tenant}:${pb.id}:${fact}`, 'trigger'))) return;
    await engine.start(tenant, pb.id, trigger, {}, { wait: false });
  };

  const installExamples = async (tenant: string, by: string, force = false): Promise<string[]> => {
    if (!force && (await store.getState(tenant, 'examples-installed'))) return [];
    const installed: string[] = [];
    for (const ex of readExamples()) {
      const p = parsePlaybook(ex.yaml);
      if (!p.ok) {
        log.warn({ file: ex.file, errors: p.errors }, 'example playbook rejected');
        continue;
      }
      if (await store.getPlaybook(tenant, p.playbook.id)) continue;
      await store.savePlaybook(tenant, p.playbook.id, 1, ex.yaml, by);
      installed.push(p.playbook.id);
    }
    await store.setState(tenant, 'examples-installed', true);
    return installed;
  };
  for (const t of await storage.identity.listTenants()) await installExamples(t.id, 'system');

  const subs: Subscription[] = [];
  subs.push(
    await bus.consume<{ alertIds: string[] }>(`${ALERTS_CREATED_SUBJECT}.>`, 'playbooks', async (msg) => {
      const tenant = msg.subject.split('.').slice(2).join('.');
      const pbs = (await playbooksOf(tenant)).filter((p) => p.triggers.some((t) => 'alert' in t));
      if (pbs.length === 0) return;
      for (const alert of await storage.alerts.get(tenant, msg.data.alertIds ?? [])) {
        for (const pb of pbs) {
          if (!alertMatches(pb, alert, 'created')) continue;
          await startOnce(tenant, pb, `alert:${alert.id}`, {
            type: 'alert',
            data: { alert: JSON.parse(JSON.stringify(alert)) as Value },
          });
        }
      }
    }),
  );
  // Changes to alerts (triage, severity, tags, comments), with the same filters as for new alerts.
  subs.push(
    await bus.consume<AlertUpdated>(`${ALERTS_UPDATED_SUBJECT}.>`, 'playbooks', async (msg) => {
      const tenant = msg.subject.split('.').slice(2).join('.');
      const { id: change, alert: sent, changed, by } = msg.data;
      // What playbooks change does not start playbooks: two that edit the same alert would loop.
      if (!change || !sent?.id || typeof by !== 'string' || by.startsWith('playbook:')) return;
      const pbs = (await playbooksOf(tenant)).filter((p) => p.triggers.some((t) => 'alert' in t));
      if (pbs.length === 0) return;
      // The tenant comes from the subject, never from the payload; the alert is read from the store.
      const [alert] = await storage.alerts.get(tenant, [sent.id]);
      if (!alert) return;
      const fields = Array.isArray(changed) ? changed.filter((c) => typeof c === 'string') : [];
      for (const pb of pbs) {
        if (!alertMatches(pb, alert, 'updated', fields)) continue;
        await startOnce(tenant, pb, `alert:${alert.id}:updated:${change}`, {
          type: 'alert',
          data: {
            alert: JSON.parse(JSON.stringify(alert)) as Value,
            event: 'updated',
            changed: fields,
            by,
          },
        });
      }
    }),
  );
  // Case facts announced by the case service (cases.created / cases.status).
  for (const [subject, event] of [
    ['cases.created.>', 'created'],
    ['cases.status.>', 'status_changed'],
  ] as const) {
    subs.push(
      await bus.consume<{ caseId: string; status?: string }>(subject, 'playbooks', async (msg) => {
        const tenant = msg.subject.split('.').slice(2).join('.');
        const c = await storage.cases.get(tenant, msg.data.caseId);
        if (!c) return;
        for (const pb of await playbooksOf(tenant)) {
          if (!caseMatches(pb, c, event)) continue;
          const fact = event === 'created' ? `case:${c.id}` : `case:${c.id}:${c.status}:${c.updatedAt}`;
          await startOnce(tenant, pb, fact, {
            type: 'case',
            data: { case: JSON.parse(JSON.stringify(c)) as Value, event },
          });
        }
      }),
    );
  }

  let ticking: Promise<unknown> | undefined;
  const tick = async (): Promise<void> => {
    await fireDueSchedules({
      store,
      tenants: (await storage.identity.listTenants()).map((t) => t.id),
      playbooksOf,
      start: startOnce,
      now: new Date(),
    });
  };
  // Schedules, approval timeouts and resumption belong to workers: an api or detect node must not
  // start runs of its own in a cluster.
  const worker = runsDuty(ctx, 'worker');
  const timer = setInterval(() => {
    if (!worker) return;
    ticking ??= tick()
      .catch((err: unknown) => log.warn({ err: (err as Error).message }, 'playbook schedule tick failed'))
      .finally(() => (ticking = undefined));
  }, SCHEDULE_TICK_MS);
  timer.unref();

  playbookRoutes(ctx.http, {
    engine,
    store,
    vault,
    connectors,
    audit: storage.audit,
    alerts: storage.alerts,
    cases: storage.cases,
    linkKey: linkKey(key),
    installExamples,
    minutesSaved,
  });

  if (worker) {
    await engine.resumeInterrupted();
    engine.startSweeper();
  }

  return {
    close: async () => {
      clearInterval(timer);
      await ticking;
      await Promise.all(subs.map((s) => s.stop()));
      await engine.stop();
    },
  };
}
