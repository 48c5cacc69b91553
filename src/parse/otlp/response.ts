import { WireWriter } from './wire.js';

/**
 * ExportLogsServiceResponse: empty (zero bytes) on full success, else field 1 partial_success =
 * ExportLogsPartialSuccess { 1 rejected_log_records int64, 2 error_message string }.
 */
export function encodeExportLogsResponse(rejected: number, errorMessage: string): Uint8Array {
  if (rejected === 0 && errorMessage === '') return new Uint8Array(0);
  const partial = new WireWriter();
  if (rejected !== 0) partial.tag(1, 0).varint(rejected);
  if (errorMessage !== '') partial.bytes(2, errorMessage);
  return new WireWriter().message(1, partial).finish();
}

