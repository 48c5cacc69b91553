/**
 * The local `command` connector: runs a program on the Vigil host. Off unless the operator sets
 * VIGIL_PLAYBOOK_COMMANDS=1, and then only programs listed by absolute path in
 * VIGIL_PLAYBOOK_COMMAND_ALLOW (comma-separated). Arguments go to execFile as a list: no shell ever
 * sees them, so a value from an alert cannot become a second command.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { z } from 'zod';
import type { Action } from '../runner.js';

const inputSchema = z
  .object({
    command: z.string().min(1).max(1000),
    args: z.array(z.string().max(10_000)).max(100).default([]),
  })
  .strict();

export function commandAction(env: NodeJS.ProcessEnv): Action {
  const enabled = env.VIGIL_PLAYBOOK_COMMANDS === '1';
  const allow = new Set(
    (env.VIGIL_PLAYBOOK_COMMAND_ALLOW ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter((s) => path.isAbsolute(s)),
  );
  return {
    name: 'command',
    safeToRetry: false,
    async run(raw, ctx) {
      if (!enabled) throw new Error('command: local commands are disabled (set VIGIL_PLAYBOOK_COMMANDS=1)');
      const parsed = inputSchema.safeParse(raw);
      if (!parsed.success)
        throw new Error(
          `command: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
        );
      const { command, args } = parsed.data;
      if (!allow.has(command)) throw new Error(`command: ${command} is not in VIGIL_PLAYBOOK_COMMAND_ALLOW`);
      if (ctx.dryRun) return { dryRun: true, command, args };
      return new Promise((resolve, reject) => {
        execFile(
          command,
          args,
          {
            shell: false,
            timeout: 60_000,
            maxBuffer: 256 * 1024,
            signal: ctx.signal,
            env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin' },
          },
          (err, stdout, stderr) => {
            if (err && typeof err.code !== 'number') return reject(new Error(`command: ${err.message}`));
            const code = err ? Number(err.code) : 0;
            if (code !== 0) return reject(new Error(`command: exit ${code}: ${stderr.slice(0, 500)}`));
            resolve({
              exitCode: code,
              stdout: stdout.slice(0, 64 * 1024),
              stderr: stderr.slice(0, 8 * 1024),
            });
          },
        );
      });
    },
  };
}
