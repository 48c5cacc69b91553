export { readEvtx, type ReadEvtxOptions } from './read-evtx.js';
export { evtxRecordToXml } from './to-xml.js';
export type { EvtxEventJson, EvtxRecord, EvtxSystemJson, JsonObject, JsonValue } from './types.js';
