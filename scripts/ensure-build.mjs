// Builds dist/ when it is missing or older than any source file, so `npm start` works on a fresh clone.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const marker = path.join(root, 'dist', 'cli.js');

function newest(dir) {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

const stale = !existsSync(marker) || newest(path.join(root, 'src')) > statSync(marker).mtimeMs;
if (stale) {
  process.stderr.write('vigil: building (tsc)...\n');
  execFileSync(process.execPath, [path.join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', path.join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
}

// The console: rebuilt when web/ (or the permission matrix it imports) is newer than its bundle.
const webIndex = path.join(root, 'dist', 'web', 'index.html');
const webNewest = Math.max(newest(path.join(root, 'web')), statSync(path.join(root, 'src', 'auth', 'permissions.ts')).mtimeMs);
if (!existsSync(webIndex) || webNewest > statSync(webIndex).mtimeMs) {
  process.stderr.write('vigil: building the console (vite)...\n');
  execFileSync(process.execPath, [path.join(root, 'scripts', 'build-web.mjs')], { stdio: 'inherit' });
}
