export type { OtlpAttributes, OtlpLogEntry, OtlpLogRecord, OtlpScope, OtlpValue } from './model.js';
export { decodeLogsProtobuf, decodeLogRecord } from './protobuf-logs.js';
export { decodeLogsJson } from './json-logs.js';
export { otlpLogToDoc } from './to-ecs.js';
export { encodeExportLogsResponse } from './response.js';
export { WireReader, WireWriter } from './wire.js';
