import type { Notification } from '../notify/ports.js';
import type { Alert } from './ports.js';

/** A notification about an alert; its id is stable per alert and fact, so redelivery sends once. */
export function alertNotification(a: Alert, kind: 'alert.created' | 'alert.assigned'): Notification {
  const details: Record<string, string> = { rule: a.ruleId, count: String(a.count) };
  if (a.entity) details[a.entity.type] = a.entity.value;
  return {
    id: kind === 'alert.created' ? `${a.id}:created` : `${a.id}:assigned:${a.assignee ?? ''}:${a.updatedAt}`,
    kind,
    tenant: a.tenant,
    severity: a.severity,
    title: a.title,
    subject: { type: 'alert', id: a.id },
    assignee: a.assignee,
    at: kind === 'alert.created' ? a.createdAt : a.updatedAt,
    details,
  };
}
