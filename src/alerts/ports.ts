/** The alert store port. Adapters: store/sqlite/alerts.ts (and, for cluster mode, PostgreSQL). */
export interface AlertStore {
  count(tenants: string[]): Promise<number>;
}
