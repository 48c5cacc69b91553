import { createHash } from 'node:crypto';

/** A digest of `s` short enough for an id and long enough (132 bits) never to collide. */
export const shortHash = (s: string): string => createHash('sha1').update(s).digest('base64url').slice(0, 22);

/**
 * A detection id: a time key then a digest of what makes the detection itself. Derived, so a
 * redelivered batch stores each detection once; time-first, so ids arrive in about the order they
 * sort. The detections table, alert links and risk contributions are all keyed by this id: with
 * digest-only ids every insert landed on a random page of those indexes, and at a few million
 * detections committing those pages took two thirds of the writer's time.
 */
export function detectionId(ms: number, material: string): string {
  const t = Number.isFinite(ms) && ms > 0 ? Math.min(Math.floor(ms), 0xffffffffffff) : 0;
  return (
    t.toString(16).padStart(12, '0') + createHash('sha1').update(material).digest('base64url').slice(0, 16)
  );
}

/** When a stored event arrived: the ingest time Vigil stamped on it, else its own time. */
export function arrivalMs(event: { '@timestamp'?: unknown; event?: { ingested?: unknown } }): number {
  const ingested = event.event?.ingested;
  const t = typeof ingested === 'string' ? Date.parse(ingested) : NaN;
  return Number.isFinite(t)
    ? t
    : typeof event['@timestamp'] === 'string'
      ? Date.parse(event['@timestamp'])
      : 0;
}
