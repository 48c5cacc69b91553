import type { Parsed } from '../../schema/result.js';

/** An OTLP AnyValue as plain JSON: kvlist → object, array → array, bytes → base64, int64 beyond 2^53 → string. */
export type OtlpValue = string | number | boolean | null | OtlpValue[] | { [key: string]: OtlpValue };

export type OtlpAttributes = Record<string, OtlpValue>;

export interface OtlpScope {
  name: string;
  version: string;
  attributes: OtlpAttributes;
}

export interface OtlpLogRecord {
  /** Milliseconds since the epoch (from time_unix_nano, truncated); 0 = unset. */
  timeMs: number;
  observedTimeMs: number;
  severityNumber: number;
  severityText: string;
  /** Undefined when the record has no body. */
  body: OtlpValue | undefined;
  attributes: OtlpAttributes;
  flags: number;
  /** Lower-case hex; '' when absent. */
  traceId: string;
  spanId: string;
  eventName: string;
}

/** One log record with the resource and scope it came under, or the reason it could not be read. */
export interface OtlpLogEntry {
  resource: OtlpAttributes;
  scope: OtlpScope;
  record: Parsed<OtlpLogRecord>;
  /** The record's own bytes (base64 for protobuf) or JSON, for the dead-letter store when it fails. */
  raw: string;
  encoding: 'utf8' | 'base64';
}

/** AnyValue nesting beyond this is refused: it bounds recursion on hostile input. */
export const MAX_VALUE_DEPTH = 32;

export const emptyScope = (): OtlpScope => ({ name: '', version: '', attributes: {} });

/** Keys that would pollute prototypes if used as object keys. */
export function safeKey(key: string): boolean {
  return key !== '__proto__' && key !== 'constructor' && key !== 'prototype';
}
