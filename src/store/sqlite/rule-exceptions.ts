import type { RuleException, RuleExceptionStore } from '../ports.js';
import type { Db } from './db.js';

/** Placeholder until rule management lands: keeps nothing. */
export class SqliteRuleExceptionStore implements RuleExceptionStore {
  constructor(private readonly db: Db) {}

  add(_e: RuleException): Promise<void> {
    void this.db;
    return Promise.resolve();
  }

  list(_tenants: string[], _opts?: { ruleId?: string; includeExpired?: boolean }): Promise<RuleException[]> {
    return Promise.resolve([]);
  }

  remove(_tenant: string, _id: string): Promise<boolean> {
    return Promise.resolve(false);
  }
}
