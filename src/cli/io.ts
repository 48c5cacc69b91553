import { Option } from 'commander';

/** Exit codes shared by every command: 0 ran, 1 a check failed, 2 bad arguments or config. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

export class CliError extends Error {
  constructor(message: string, readonly exitCode: number = EXIT.usage) {
    super(message);
  }
}

export async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) throw new CliError('--password-stdin: pipe the password on standard input');
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

export const configOption = (): Option => new Option('-c, --config <file>', 'YAML configuration file (or VIGIL_CONFIG)');
