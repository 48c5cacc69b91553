/** The JSON shape `evtx_dump -o json` writes for one record (see /work/shared/data/evtx-dump-json-examples). */
import type { JsonObject, JsonValue } from './render-json.js';

export type { JsonObject, JsonValue };

export interface EvtxSystemJson {
  Provider?: JsonValue;
  EventID?: number | string | { '#attributes'?: { Qualifiers?: number | string }; '#text'?: number | string };
  Channel?: JsonValue;
  Computer?: JsonValue;
  TimeCreated?: { '#attributes'?: { SystemTime?: string } } | null;
  EventRecordID?: JsonValue;
  Execution?: JsonValue;
  Security?: JsonValue;
  [k: string]: unknown;
}

export interface EvtxEventJson {
  Event: {
    '#attributes'?: { xmlns?: string; [k: string]: JsonValue | undefined };
    System?: EvtxSystemJson;
    EventData?: JsonValue;
    UserData?: JsonValue;
    [k: string]: unknown;
  };
}

export interface EvtxRecord {
  /** Event record identifier from the record header. */
  recordId: number;
  /** Record written time (header FILETIME), ISO 8601 UTC with microseconds. */
  timestamp: string;
  event: EvtxEventJson;
}
