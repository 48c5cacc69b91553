/**
 * The case workflow against real storage (SQLite file in a temp dir), real alerts (folded by the
 * alert store) and a real evidence directory.
 */
import { randomUUID } from 'node:crypto';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Observable, Severity } from '../alerts/ports.js';
import type { Notification } from '../notify/ports.js';
import type { Storage } from '../store/ports.js';
import { openSqliteStorage } from '../store/sqlite/index.js';
import { CaseError, CaseService, type Caller } from './case-service.js';
import { EvidenceVault } from './evidence-vault.js';
import { BUILTIN_TEMPLATES_DIR, loadTemplateDir } from './templates.js';

const analyst: Caller = { name: 'alice', role: 'analyst', tenants: ['t'], ip: '10.1.1.1' };
const bob: Caller = { name: 'bob', role: 'investigator', tenants: ['t'], ip: '10.1.1.2' };
const manager: Caller = { name: 'mia', role: 'manager', tenants: ['t'], ip: '10.1.1.3' };
const outsider: Caller = { name: 'eve', role: 'manager', tenants: ['u'], ip: '10.9.9.9' };

describe('CaseService', () => {
  let dir: string;
  let storage: Storage;
  let svc: CaseService;
  let vault: EvidenceVault;
  let clock: Date;
  let sent: Notification[];

  async function alert(
    title: string,
    severity: Severity,
    host: string,
    observables: Observable[],
    techniques: string[] = [],
  ): Promise<string> {
    const ts = new Date(Date.parse('2026-11-01T09:00:00Z') + Math.floor(Math.random() * 1e6)).toISOString();
    const {
      outcomes: [out],
    } = await storage.alerts.fold(
      [
        {
          tenant: 't',
          detectionId: randomUUID(),
          kind: 'sigma',
          ruleId: `rule-${title}`,
          title,
          severity,
          tags: ['attack.t1110'],
          attack: { techniques, tactics: ['credential_access'] },
          entity: { type: 'host', value: host },
          ts,
          firstEventAt: ts,
          eventIds: [randomUUID()],
          observables,
          detection: {},
        },
      ],
      60_000,
    );
    return out!.alertId;
  }

  beforeEach(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'vigil-casesvc-'));
    storage = openSqliteStorage(dir);
    for (const u of ['alice', 'bob', 'carol', 'mia']) {
      await storage.identity.createUser({
        id: u,
        username: u,
        role: 'analyst',
        tenants: ['t'],
        passwordHash: 'x',
      });
    }
    vault = new EvidenceVault(path.join(dir, 'evidence'), 1024);
    clock = new Date('2026-11-01T10:00:00Z');
    sent = [];
    svc = new CaseService({
      cases: storage.cases,
      alerts: storage.alerts,
      events: storage.events,
      audit: storage.audit,
      identity: storage.identity,
      vault,
      builtinTemplates: loadTemplateDir(BUILTIN_TEMPLATES_DIR).templates,
      notify: async (n) => void sent.push(n),
      tenants: async () => ['t', 'u'],
      now: () => clock,
    });
  });
  afterEach(async () => storage.close());

  it('opens a case from alerts: links them, takes title, severity, ATT&CK and observables, and creates template tasks', async () => {
    const a1 = await alert(
      'SSH brute force',
      'high',
      'web1',
      [
        { type: 'ip', value: '203.0.113.9' },
        { type: 'hash', value: 'D41D8CD98F00B204E9800998ECF8427E' },
      ],
      ['T1110'],
    );
    const a2 = await alert(
      'Password spray',
      'low',
      'web2',
      [{ type: 'ip', value: '203.0.113.9' }],
      ['T1110.003'],
    );
    const c = await svc.create(analyst, 't', { alertIds: [a1, a2], template: 'compromised-account' });
    expect(c).toMatchObject({
      title: 'SSH brute force (+1 alerts)',
      severity: 'high',
      number: 1,
      template: 'compromised-account',
      status: 'open',
    });
    expect(c.attack.techniques.sort()).toEqual(['T1110', 'T1110.003']);
    expect(c.sla.state).toBe('ok');
    // SLA of a high case: 24 hours from creation.
    expect(c.dueAt).toBe('2026-11-02T10:00:00.000Z');
    expect((await storage.alerts.get('t', [a1, a2])).map((a) => a.caseId)).toEqual([c.id, c.id]);
    const obs = await svc.observables(analyst, c.id);
    const byValue = Object.fromEntries(obs.map((o) => [`${o.type}:${o.value}`, o]));
    expect(byValue['ip:203.0.113.9']!.alertIds.sort()).toEqual([a1, a2].sort());
    expect(byValue['md5:d41d8cd98f00b204e9800998ecf8427e']).toBeDefined();
    expect(byValue['host:web1']).toBeDefined();
    const tasks = await svc.tasks(analyst, c.id);
    expect(tasks.length).toBeGreaterThanOrEqual(5);
    expect(tasks[0]).toMatchObject({ status: 'todo', group: 'identification' });

    // An alert already in a case cannot join another one silently.
    const other = await svc.create(analyst, 't', { title: 'other' });
    await expect(svc.addAlerts(analyst, other.id, [a1])).rejects.toMatchObject({ code: 'conflict' });
    await expect(svc.create(analyst, 't', { alertIds: ['no-such-alert'] })).rejects.toMatchObject({
      code: 'bad_request',
    });

    const audit = await storage.audit.list({ tenants: ['t'], limit: 100, action: 'case.create' });
    expect(audit).toHaveLength(2);
    expect(audit[0]).toMatchObject({ actor: 'alice', ip: '10.1.1.1', target: c.id, before: null });
  });

  it('splits alerts out (to a new case or none) and merges cases, moving their work', async () => {
    const a1 = await alert('A one', 'medium', 'h1', [{ type: 'domain', value: 'evil.example' }]);
    const a2 = await alert('A two', 'critical', 'h2', [{ type: 'user', value: 'svc_backup' }]);
    const a3 = await alert('A three', 'low', 'h3', []);
    const c = await svc.create(analyst, 't', { alertIds: [a1, a2, a3], title: 'Big case' });

    const { source, created } = await svc.split(analyst, c.id, [a2], 'new');
    expect(created).toMatchObject({ title: 'A two', severity: 'critical' });
    expect((await storage.alerts.get('t', [a2]))[0]!.caseId).toBe(created!.id);
    expect((await svc.observables(analyst, c.id)).some((o) => o.value === 'svc_backup')).toBe(false);
    expect((await svc.observables(analyst, created!.id)).some((o) => o.value === 'svc_backup')).toBe(true);
    expect(source.id).toBe(c.id);

    await svc.split(analyst, c.id, [a3], 'none');
    expect((await storage.alerts.get('t', [a3]))[0]!.caseId).toBeNull();
    await expect(svc.split(analyst, c.id, [a3], 'none')).rejects.toMatchObject({ code: 'bad_request' });

    await svc.addComment(analyst, created!.id, 'looked at **svc_backup**');
    await svc.addTask(bob, created!.id, { title: 'Check backups' });
    const merged = await svc.merge(analyst, created!.id, c.id);
    expect(merged.severity).toBe('critical');
    expect((await storage.alerts.get('t', [a2]))[0]!.caseId).toBe(c.id);
    expect((await svc.comments(analyst, c.id)).map((x) => x.body)).toEqual(['looked at **svc_backup**']);
    expect((await svc.tasks(analyst, c.id)).map((t) => t.title)).toEqual(['Check backups']);
    const gone = await svc.get(analyst, created!.id);
    expect(gone).toMatchObject({ status: 'closed', resolution: 'merged', mergedInto: c.id });
    await expect(svc.addComment(analyst, created!.id, 'late')).rejects.toMatchObject({ code: 'conflict' });
    await expect(svc.merge(analyst, c.id, c.id)).rejects.toMatchObject({ code: 'bad_request' });

    const kinds = (await svc.timeline(analyst, c.id)).map((x) => x.kind);
    expect(kinds).toEqual(
      expect.arrayContaining(['alert', 'created', 'alerts_split', 'merged_from', 'comment', 'task_added']),
    );
    const mergeAudit = (await storage.audit.list({ tenants: ['t'], limit: 10, action: 'case.merge' }))[0]!;
    expect((mergeAudit.after as { source: { mergedInto: string } }).source.mergedInto).toBe(c.id);
  });

  it('needs a resolution to close, recomputes the SLA due date with severity, and reopens cleanly', async () => {
    const c = await svc.create(analyst, 't', { title: 'x', severity: 'low' });
    expect(c.dueAt).toBe('2026-11-08T10:00:00.000Z');
    await expect(svc.update(analyst, c.id, { status: 'closed' })).rejects.toMatchObject({
      code: 'bad_request',
    });
    const crit = await svc.update(analyst, c.id, { severity: 'critical' });
    expect(crit.dueAt).toBe('2026-11-01T14:00:00.000Z');
    clock = new Date('2026-11-01T13:30:00Z');
    expect((await svc.get(analyst, c.id)).sla.state).toBe('at_risk');
    clock = new Date('2026-11-01T15:00:00Z');
    expect(
      (await svc.list(analyst, ['t'], { sla: 'breached', limit: 10, offset: 0 })).cases.map((x) => x.id),
    ).toEqual([c.id]);
    const closed = await svc.update(analyst, c.id, { status: 'closed', resolution: 'false_positive' });
    expect(closed).toMatchObject({
      status: 'closed',
      resolution: 'false_positive',
      closedAt: '2026-11-01T15:00:00.000Z',
    });
    expect(closed.sla.state).toBe('breached');
    const reopened = await svc.update(analyst, c.id, { status: 'in_progress' });
    expect(reopened).toMatchObject({ resolution: null, closedAt: null, resolvedAt: null });
    const statusAudit = await storage.audit.list({ tenants: ['t'], limit: 10, action: 'case.status.closed' });
    expect(statusAudit[0]).toMatchObject({ before: { status: 'open' }, after: { status: 'closed' } });
  });

  it('hides restricted cases from non-members (404) but not from managers, and never across tenants', async () => {
    const c = await svc.create(analyst, 't', { title: 'insider', members: ['carol'] });
    expect(c.members.sort()).toEqual(['alice', 'carol']);
    await expect(svc.get(bob, c.id)).rejects.toMatchObject({ code: 'not_found' });
    await expect(svc.addComment(bob, c.id, 'x')).rejects.toBeInstanceOf(CaseError);
    expect((await svc.list(bob, ['t'], { limit: 10, offset: 0 })).total).toBe(0);
    expect((await svc.get(manager, c.id)).id).toBe(c.id);
    expect((await svc.get(analyst, c.id)).id).toBe(c.id);
    await expect(svc.get(outsider, c.id)).rejects.toMatchObject({ code: 'not_found' });
    await expect(
      svc.create(analyst, 't', { title: 'x', members: ['nobody-like-this'] }),
    ).rejects.toMatchObject({ code: 'bad_request' });
    // Restricted content never flows into a less restricted case.
    const open = await svc.create(analyst, 't', { title: 'open case' });
    await expect(svc.merge(manager, c.id, open.id)).rejects.toMatchObject({ code: 'conflict' });
    await svc.setMembers(manager, open.id, ['carol']);
    expect((await svc.merge(manager, c.id, open.id)).id).toBe(open.id);
    await expect(svc.get(bob, open.id)).rejects.toMatchObject({ code: 'not_found' });
    await svc.setMembers(manager, open.id, []);
    expect((await svc.get(bob, open.id)).id).toBe(open.id);
  });

  it('stores evidence by SHA-256, logs custody, refuses a tampered file and one over the size limit', async () => {
    const c = await svc.create(analyst, 't', { title: 'ev' });
    const bytes = Buffer.from('GET /evil HTTP/1.1\r\n');
    const e = await svc.uploadEvidence(bob, c.id, Readable.from([bytes]), {
      name: 'req.txt',
      contentType: 'text/plain',
      description: '',
    });
    const sha = (await import('node:crypto')).createHash('sha256').update(bytes).digest('hex');
    expect(e).toMatchObject({ sha256: sha, size: bytes.length, integrity: 'ok' });
    const file = vault.pathOf(sha);
    expect(file).toBe(path.join(dir, 'evidence', sha.slice(0, 2), sha));
    expect(readFileSync(file)).toEqual(bytes);
    expect(existsSync(path.join(dir, 'evidence', 'tmp'))).toBe(true);

    const dl = await svc.downloadEvidence(analyst, c.id, e.id);
    const chunks: Buffer[] = [];
    for await (const ch of dl.stream) chunks.push(ch as Buffer);
    expect(Buffer.concat(chunks)).toEqual(bytes);
    const custody = (await svc.custody(analyst, c.id, e.id)).custody;
    expect(custody.map((x) => [x.action, x.actor, x.ip])).toEqual([
      ['added', 'bob', '10.1.1.2'],
      ['downloaded', 'alice', '10.1.1.1'],
    ]);

    chmodSync(file, 0o600);
    writeFileSync(file, 'tampered');
    await expect(svc.downloadEvidence(analyst, c.id, e.id)).rejects.toMatchObject({ code: 'conflict' });
    expect((await svc.evidence(analyst, c.id))[0]!.integrity).toBe('mismatch');
    expect((await svc.custody(analyst, c.id, e.id)).custody.at(-1)).toMatchObject({
      action: 'integrity_failed',
      actor: 'alice',
    });
    expect(
      await storage.audit.list({ tenants: ['t'], limit: 10, action: 'case.evidence.integrity_failed' }),
    ).toHaveLength(1);

    const big = Readable.from([Buffer.alloc(600), Buffer.alloc(600), Buffer.alloc(600)]);
    await expect(
      svc.uploadEvidence(bob, c.id, big, {
        name: 'big',
        contentType: 'x/y',
        description: '',
      }),
    ).rejects.toThrow(/larger than the limit/);
    // The upload was refused without tearing down its source (the HTTP request answers 413).
    await finished(big);
    expect(big.readableEnded).toBe(true);
    expect(readdirSync(path.join(dir, 'evidence', 'tmp'))).toEqual([]);
    await expect(
      svc.uploadEvidence(bob, c.id, Readable.from([]), {
        name: 'empty',
        contentType: 'x/y',
        description: '',
      }),
    ).rejects.toThrow(/empty/);
    expect(await svc.evidence(analyst, c.id)).toHaveLength(1);
  });

  it('pins events and shows the timeline in time order', async () => {
    const c = await svc.create(analyst, 't', { title: 'tl' });
    await storage.events.append([
      {
        '@timestamp': '2026-11-01T08:00:00.000Z',
        event: { id: 'ev-1', ingested: '2026-11-01T08:00:01.000Z' },
        message: 'powershell -enc ...',
        host: { name: 'h1' },
        organization: { id: 't' },
      } as never,
    ]);
    const ev = (await storage.events.search({ tenants: ['t'], limit: 1 })).events[0] as unknown as {
      event: { id: string };
    };
    const p = await svc.pin(analyst, c.id, ev.event.id, 'first sign');
    expect(p.eventTime).toBe('2026-11-01T08:00:00.000Z');
    expect(p.summary).toContain('host.name=h1');
    await expect(svc.pin(analyst, c.id, ev.event.id, '')).rejects.toMatchObject({ code: 'conflict' });
    await expect(svc.pin(analyst, c.id, 'nope', '')).rejects.toMatchObject({ code: 'not_found' });
    clock = new Date('2026-11-01T11:00:00Z');
    await svc.addComment(analyst, c.id, 'later');
    const tl = await svc.timeline(analyst, c.id);
    expect(tl.map((x) => x.kind)).toEqual(['event', 'created', 'event_pinned', 'comment']);
    const times = tl.map((x) => Date.parse(x.at));
    expect([...times].sort((a, b) => a - b)).toEqual(times);
  });

  it('finds sightings of an observable in other cases and in alerts outside any case', async () => {
    const a1 = await alert('one', 'low', 'h1', [{ type: 'ip', value: '198.51.100.7' }]);
    const a2 = await alert('two', 'low', 'h2', [{ type: 'ip', value: '198.51.100.7' }]);
    const free = await alert('three', 'low', 'h3', [{ type: 'ip', value: '198.51.100.7' }]);
    const c1 = await svc.create(analyst, 't', { alertIds: [a1] });
    const c2 = await svc.create(analyst, 't', { alertIds: [a2] });
    const o = (await svc.observables(analyst, c1.id)).find((x) => x.value === '198.51.100.7')!;
    expect(o.sightings).toBe(1);
    const s = await svc.sightings(analyst, c1.id, o.id);
    expect(s.cases.map((x) => x.caseId)).toEqual([c2.id]);
    expect(s.alerts.map((x) => x.id).sort()).toEqual([a2, free].sort());
  });

  it('announces assignments and each SLA breach once per due date', async () => {
    const c = await svc.create(analyst, 't', { title: 'urgent', severity: 'critical', assignee: 'bob' });
    await svc.update(analyst, c.id, { assignee: 'carol' });
    await svc.update(analyst, c.id, { title: 'urgent!' });
    expect(sent.map((n) => [n.kind, n.assignee, n.subject.id])).toEqual([
      ['case.assigned', 'bob', c.id],
      ['case.assigned', 'carol', c.id],
    ]);
    expect(await svc.checkSla()).toBe(0);
    clock = new Date('2026-11-01T14:00:01Z');
    expect(await svc.checkSla()).toBe(1);
    expect(await svc.checkSla()).toBe(0);
    expect(sent.at(-1)).toMatchObject({
      kind: 'case.sla_breached',
      tenant: 't',
      severity: 'critical',
      id: `case.sla_breached:${c.id}:2026-11-01T14:00:00.000Z`,
    });
    await svc.update(analyst, c.id, { dueAt: '2026-11-01T15:00:00Z' });
    clock = new Date('2026-11-01T15:00:01Z');
    expect(await svc.checkSla()).toBe(1);
    await svc.update(analyst, c.id, { status: 'resolved', resolution: 'true_positive' });
    clock = new Date('2026-11-03T00:00:00Z');
    expect(await svc.checkSla()).toBe(0);
    expect((await svc.timeline(analyst, c.id)).filter((t) => t.kind === 'sla_breached')).toHaveLength(2);
  });
});
