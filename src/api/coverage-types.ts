/** The ATT&CK coverage answer: its own module, so the console shares the types without the route's imports. */
export interface CoverageCell {
  id: string;
  name: string;
  /** Enabled rules and correlations tagged with the technique or one of its sub-techniques. */
  rules: number;
  disabledRules: number;
  /** Up to 20 titles of the enabled rules, for a tooltip. */
  titles: string[];
  /** Alerts of the last ALERT_DAYS days whose detections named the technique (or a sub-technique). */
  alerts: number;
}

export interface Coverage {
  tactics: Array<{
    id: string;
    shortname: string;
    name: string;
    covered: number;
    techniques: CoverageCell[];
  }>;
  totals: {
    techniques: number;
    covered: number;
    rules: number;
    rulesWithAttackTags: number;
    /** Techniques that produced alerts in the window. */
    alerted: number;
  };
  /** Alerts were counted (false for a role that may not read alerts), over this many days. */
  alertsAvailable: boolean;
  alertDays: number;
  /** Technique tags that are not in the catalog (typos, revoked or newer techniques). */
  unknown: Array<{ id: string; rules: number }>;
  rulesAvailable: boolean;
}
