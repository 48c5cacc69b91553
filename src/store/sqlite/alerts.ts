import type { Alert, AlertStore } from '../../alerts/ports.js';
import type { Db } from './db.js';

/** Placeholder until the alert store lands: stores nothing. */
export class SqliteAlertStore implements AlertStore {
  constructor(private readonly db: Db) {}

  count(_tenants: string[]): Promise<number> {
    void this.db;
    return Promise.resolve(0);
  }

  get(_tenant: string, _ids: string[]): Promise<Alert[]> {
    return Promise.resolve([]);
  }

  setCase(_tenant: string, _ids: string[], _caseId: string | null): Promise<number> {
    return Promise.resolve(0);
  }

  byCase(_tenant: string, _caseId: string): Promise<Alert[]> {
    return Promise.resolve([]);
  }
}
