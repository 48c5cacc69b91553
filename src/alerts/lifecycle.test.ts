import { describe, expect, it } from 'vitest';
import { TriageError, triage } from './lifecycle.js';
import type { Alert } from './ports.js';

const alert = (over: Partial<Alert> = {}): Alert => ({
  id: 'a1',
  tenant: 'default',
  kind: 'sigma',
  ruleId: 'r',
  title: 't',
  severity: 'low',
  status: 'new',
  verdict: null,
  assignee: null,
  tags: [],
  attack: { techniques: [], tactics: [] },
  entity: null,
  count: 1,
  firstSeen: '2026-11-28T09:00:00.000Z',
  lastSeen: '2026-11-28T09:00:00.000Z',
  firstEventAt: '2026-11-28T09:00:00.000Z',
  createdAt: '2026-11-28T09:00:01.000Z',
  updatedAt: '2026-11-28T09:00:01.000Z',
  acknowledgedAt: null,
  closedAt: null,
  observables: [],
  caseId: null,
  ...over,
});
const NOW = '2026-11-28T10:00:00.000Z';

describe('alert triage rules', () => {
  it('moves forward and stamps acknowledgement once', () => {
    expect(triage(alert(), { status: 'acknowledged' }, NOW)).toEqual({
      status: 'acknowledged',
      acknowledgedAt: NOW,
    });
    const acked = alert({ status: 'acknowledged', acknowledgedAt: '2026-11-28T09:30:00.000Z' });
    expect(triage(acked, { status: 'in_progress' }, NOW)).toEqual({ status: 'in_progress' });
  });

  it('closes only with a verdict, and closing from new also counts as acknowledged', () => {
    expect(() => triage(alert(), { status: 'closed' }, NOW)).toThrow(TriageError);
    expect(triage(alert(), { status: 'closed', verdict: 'false_positive' }, NOW)).toEqual({
      status: 'closed',
      verdict: 'false_positive',
      closedAt: NOW,
      acknowledgedAt: NOW,
    });
  });

  it('refuses going back, reopening, and a verdict on an open alert', () => {
    const inProgress = alert({ status: 'in_progress', acknowledgedAt: NOW });
    expect(() => triage(inProgress, { status: 'acknowledged' }, NOW)).toThrow(/cannot go back/);
    const closed = alert({ status: 'closed', verdict: 'benign', closedAt: NOW, acknowledgedAt: NOW });
    expect(() => triage(closed, { status: 'in_progress' }, NOW)).toThrow(/final/);
    expect(() => triage(alert(), { verdict: 'benign' }, NOW)).toThrow(/only a closed alert/);
    // A closed alert's verdict may still be corrected (it feeds the false-positive rate).
    expect(triage(closed, { verdict: 'false_positive' }, NOW)).toEqual({ verdict: 'false_positive' });
  });

  it('sets assignee and tags, adding tags without duplicates', () => {
    expect(triage(alert({ tags: ['a'] }), { assignee: 'bob', addTags: ['a', 'b'] }, NOW)).toEqual({
      assignee: 'bob',
      tags: ['a', 'b'],
    });
    expect(triage(alert({ assignee: 'bob' }), { assignee: null, tags: ['x', 'x'] }, NOW)).toEqual({
      assignee: null,
      tags: ['x'],
    });
  });

  it('changes severity by hand while open, and keeps it on a closed alert', () => {
    expect(triage(alert(), { severity: 'critical' }, NOW)).toEqual({ severity: 'critical' });
    expect(triage(alert({ severity: 'high' }), { severity: 'high' }, NOW)).toEqual({});
    const closed = alert({ status: 'closed', verdict: 'benign', closedAt: NOW, acknowledgedAt: NOW });
    expect(() => triage(closed, { severity: 'critical' }, NOW)).toThrow(/severity is part of the record/);
  });
});
