/** Raw bytes for a dead letter: UTF-8 when they decode cleanly, else base64 so nothing is mangled. */
export function rawForDeadLetter(buf: Uint8Array): { raw: string; encoding: 'utf8' | 'base64' } {
  const b = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  const text = b.toString('utf8');
  if (!text.includes('\ufffd')) return { raw: text, encoding: 'utf8' };
  return { raw: b.toString('base64'), encoding: 'base64' };
}
