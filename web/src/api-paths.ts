/**
 * Every API path the console calls. Kept apart from api.ts (which needs the DOM) so the end-to-end
 * test can check each one against the server's OpenAPI document.
 */
export const API_PATHS = {
  login: '/api/v1/auth/login',
  logout: '/api/v1/auth/logout',
  me: '/api/v1/me',
  sources: '/api/v1/sources',
  detections: '/api/v1/detections',
  rules: '/api/v1/rules',
  deadLetters: '/api/v1/deadletters',
  audit: '/api/v1/audit',
  auditVerify: '/api/v1/audit/verify',
  eventSearch: '/api/v1/events/search',
  alerts: '/api/v1/alerts',
  alert: '/api/v1/alerts/{id}',
  alertComments: '/api/v1/alerts/{id}/comments',
  alertsBulk: '/api/v1/alerts/bulk',
  cases: '/api/v1/cases',
  deliveries: '/api/v1/notifications/deliveries',
} as const;

/** Paths of capabilities that may be missing from a server: the console shows "not available" for them. */
export const OPTIONAL_PATHS: ReadonlyArray<keyof typeof API_PATHS> = [
  'alerts',
  'alert',
  'alertComments',
  'alertsBulk',
  'cases',
  'deliveries',
];
