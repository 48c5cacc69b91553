import { describe, expect, it } from 'vitest';
import type { AlertUpdated } from '../alerts/service.js';
import { verdictSighting } from './verdicts.js';

const update = (ruleId: string, verdict: string | null, changed: string[]): AlertUpdated =>
  ({
    id: 'chg-1',
    by: 'ann',
    changed,
    alert: { id: 'al-1', ruleId, verdict, tenant: 'default' },
  }) as unknown as AlertUpdated;

describe('alert verdicts as indicator sightings', () => {
  it('turns a false or true positive on an indicator alert into a sighting with a stable id', () => {
    expect(verdictSighting(update('intel:ind-9', 'false_positive', ['status', 'verdict']))).toEqual({
      indicatorId: 'ind-9',
      kind: 'false-positive',
      id: 'sgt-verdict-chg-1',
      note: 'alert al-1 marked false_positive by ann',
    });
    expect(verdictSighting(update('intel:ind-9', 'true_positive', ['verdict']))?.kind).toBe('true-positive');
  });

  it('ignores other rules, other changes and verdicts that say nothing about the indicator', () => {
    expect(verdictSighting(update('sigma-rule-1', 'false_positive', ['verdict']))).toBeUndefined();
    expect(verdictSighting(update('intel:ind-9', 'false_positive', ['assignee']))).toBeUndefined();
    expect(verdictSighting(update('intel:ind-9', 'duplicate', ['verdict']))).toBeUndefined();
    expect(verdictSighting(update('intel:ind-9', null, ['verdict']))).toBeUndefined();
  });
});
