import type { Rng } from './random.js';

/** How a step's records reach Vigil: the same doors real senders use. */
export type Delivery =
  /** RFC 3164 lines, as rsyslog forwards them, over the syslog listener */
  | { via: 'syslog'; lines: string[] }
  /** Winlogbeat documents over the Elasticsearch `_bulk` API, into `index` */
  | { via: 'bulk'; index: string; docs: Record<string, unknown>[] }
  /** JSON documents (Zeek logs from a log shipper) over `POST /api/v1/events` */
  | { via: 'events'; docs: Record<string, unknown>[] };

export interface Step {
  /** when to send, in ms after the scenario starts; the records carry times around it */
  at: number;
  /** what happens, for the console */
  what: string;
  delivery: Delivery;
}

export interface ScenarioContext {
  rng: Rng;
  /** epoch ms of the scenario's start; event times are start + step offset (+ jitter) */
  start: number;
  /** zone the syslog input reads RFC 3164 times in, so the lines say the sender's wall-clock time */
  syslogTimeZone: string;
}

export interface Scenario {
  name: string;
  title: string;
  /** ATT&CK technique ids the attack exercises */
  techniques: string[];
  /** ids of the rules of `rules/vigil` that the attack must trigger */
  detectedBy: string[];
  /** the attack, as timed steps */
  attack(ctx: ScenarioContext): Step[];
  /** ordinary activity of the same kind, which no rule of the pack should flag */
  benign(ctx: ScenarioContext): Step[];
}

/** Milliseconds the longest scenario runs; playback of all of them ends within this. */
export function duration(steps: readonly Step[]): number {
  return steps.reduce((m, s) => Math.max(m, s.at), 0);
}
