import { promisify } from 'node:util';
import { gunzip, inflate } from 'node:zlib';
import type { FastifyRequest } from 'fastify';
import { ApiError } from '../../api/errors.js';

const gunzipAsync = promisify(gunzip);
const inflateAsync = promisify(inflate);

/**
 * Decompression may expand a body this many times past the (compressed) body limit; beyond that
 * it is refused with 413 instead of filling memory (gzip bombs). Log batches compress ~10-20x.
 */
const INFLATE_FACTOR = 8;

/**
 * The request body as bytes, decompressed when `content-encoding` says gzip or deflate (Beats,
 * OTLP exporters and HEC senders compress). Unknown encodings are refused with 415.
 */
export async function requestBytes(req: FastifyRequest, bodyLimit: number): Promise<Buffer> {
  const body = req.body;
  const buf = Buffer.isBuffer(body) ? body : Buffer.alloc(0);
  const enc = String(req.headers['content-encoding'] ?? '').trim().toLowerCase();
  if (enc === '' || enc === 'identity' || buf.length === 0) return buf;
  const maxOutputLength = bodyLimit * INFLATE_FACTOR;
  try {
    if (enc === 'gzip' || enc === 'x-gzip') return await gunzipAsync(buf, { maxOutputLength });
    if (enc === 'deflate') return await inflateAsync(buf, { maxOutputLength });
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === 'ERR_BUFFER_TOO_LARGE') throw new ApiError('payload_too_large', `decompressed body is larger than ${maxOutputLength} bytes`);
    throw new ApiError('bad_request', `body: cannot decompress ${enc}: ${(e as Error).message}`);
  }
  throw new ApiError('unsupported_media_type', `content-encoding ${enc} is not supported (use gzip or deflate)`);
}
