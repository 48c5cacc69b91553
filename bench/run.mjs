// Runs every bench/*.bench.ts (or those whose name contains an argument) and passes through the
// JSON result lines each prints: {"name","events","seconds","eventsPerSecond",...}.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const dir = path.dirname(fileURLToPath(import.meta.url));
const filters = process.argv.slice(2);
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  .sort();
let failed = 0;
for (const f of files) {
  process.stderr.write(`bench: ${f}\n`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(dir, f)], { stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  for (const line of r.stdout.split('\n')) {
    if (line.startsWith('{')) process.stdout.write(line + '\n');
  }
  if (r.status !== 0) {
    failed++;
    process.stdout.write(JSON.stringify({ name: f, error: `exit ${r.status}` }) + '\n');
  }
}
process.exitCode = failed ? 1 : 0;
