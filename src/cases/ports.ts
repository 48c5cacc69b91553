/** The case store port. Adapters: store/sqlite/cases.ts (and, for cluster mode, PostgreSQL). */
export interface CaseStore {
  count(tenants: string[]): Promise<number>;
}
