/** Calls of the rule detail page: one rule, enable/disable, test against events, exceptions. */
import { fill, request } from '../api';
import { API_PATHS } from '../api-paths';
import type { Explanation } from '../../../src/detect/explain';

export type { Explanation };

export interface RuleDetailReply {
  kind: string;
  id: string;
  title: string;
  level?: string;
  tags?: string[];
  status?: string;
  source: string;
  file: string;
  line?: number;
  upload?: { id: string; tenant: string | null; createdBy: string; createdAt: string };
  enabled: boolean;
  globallyEnabled: boolean;
  yaml: string | null;
}

export interface RuleException {
  id: string;
  tenant: string;
  ruleId: string;
  match: Array<{ field: string; value: string }>;
  reason: string;
  createdBy: string;
  createdAt: string;
  expiresAt: string | null;
}

export interface RuleTestReply {
  rules: Array<{ id: string; title: string; level: string }>;
  results: Array<{ index: number; explanations: Explanation[] }>;
}

export const rulesApi = {
  get: (id: string) => request<RuleDetailReply>('GET', fill(API_PATHS.ruleDetail, { id })),
  setEnabled: (id: string, enabled: boolean) =>
    request<{ enabled: boolean }>('PATCH', fill(API_PATHS.ruleDetail, { id }), { body: { enabled } }),
  test: (body: { ruleId?: string; yaml?: string; events: unknown[] }) =>
    request<RuleTestReply>('POST', API_PATHS.ruleTest, { body }),
  exceptions: (rule: string) =>
    request<{ exceptions: RuleException[] }>('GET', API_PATHS.ruleExceptions, {
      query: { rule, includeExpired: 'true' },
    }),
  addException: (body: {
    ruleId: string;
    match: Array<{ field: string; value: string }>;
    reason: string;
    expiresAt?: string | null;
  }) => request<RuleException>('POST', API_PATHS.ruleExceptions, { body }),
  removeException: (id: string) => request<unknown>('DELETE', fill(API_PATHS.ruleException, { id })),
};
