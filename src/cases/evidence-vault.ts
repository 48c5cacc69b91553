/**
 * Evidence files, content-addressed: the bytes live at `<root>/<sha256[0:2]>/<sha256>`, so the same
 * file attached to two cases is stored once and its name is its own integrity check. A file is
 * written to a temporary name, fsynced, then renamed into place, so a crash never leaves a partial
 * file under a hash name; the caller answers only after that.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { chmod, mkdir, open, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

export class EvidenceTooLarge extends Error {
  constructor(readonly limit: number) {
    super(`evidence is larger than the limit of ${limit} bytes`);
  }
}

export class EvidenceEmpty extends Error {
  constructor() {
    super('evidence file is empty');
  }
}

const SHA256 = /^[0-9a-f]{64}$/;

async function fsyncPath(p: string, flags: string): Promise<void> {
  const fh = await open(p, flags);
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

export class EvidenceVault {
  constructor(
    readonly root: string,
    readonly maxBytes: number,
  ) {}

  pathOf(sha256: string): string {
    if (!SHA256.test(sha256)) throw new Error('not a sha256');
    return path.join(this.root, sha256.slice(0, 2), sha256);
  }

  /** Streams `input` to disk while hashing it; durable when it resolves. */
  async store(input: Readable): Promise<{ sha256: string; size: number }> {
    const tmpDir = path.join(this.root, 'tmp');
    await mkdir(tmpDir, { recursive: true });
    const tmp = path.join(tmpDir, `${randomUUID()}.part`);
    const hash = createHash('sha256');
    let size = 0;
    const limit = this.maxBytes;
    const meter = new Transform({
      transform(chunk: Buffer, _enc, done) {
        size += chunk.length;
        if (size > limit) return done(new EvidenceTooLarge(limit));
        hash.update(chunk);
        done(null, chunk);
      },
    });
    try {
      // The request is piped, not handed to pipeline(): refusing an oversized upload must not
      // destroy the connection, so the client still reads the 413 answer.
      input.pipe(meter);
      await pipeline(meter, createWriteStream(tmp, { flags: 'wx', mode: 0o600 }));
      if (size === 0) throw new EvidenceEmpty();
      await fsyncPath(tmp, 'r+');
      const sha256 = hash.digest('hex');
      const final = this.pathOf(sha256);
      await mkdir(path.dirname(final), { recursive: true });
      // Evidence is never edited in place: read-only for everyone, owner included.
      await chmod(tmp, 0o400);
      await rename(tmp, final);
      await fsyncPath(path.dirname(final), 'r');
      return { sha256, size };
    } catch (e) {
      // Drain what is left of a refused upload so the connection can carry the answer.
      input.unpipe(meter);
      input.resume();
      await rm(tmp, { force: true });
      throw e;
    }
  }

  /** Re-hashes the stored bytes: the file must still be what its name says. */
  async verify(sha256: string): Promise<{ ok: boolean; actual: string | null; size: number | null }> {
    const file = this.pathOf(sha256);
    try {
      const st = await stat(file);
      const hash = createHash('sha256');
      await pipeline(createReadStream(file), hash);
      const actual = hash.digest('hex');
      return { ok: actual === sha256, actual, size: st.size };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { ok: false, actual: null, size: null };
      throw e;
    }
  }

  open(sha256: string): Readable {
    return createReadStream(this.pathOf(sha256));
  }
}
