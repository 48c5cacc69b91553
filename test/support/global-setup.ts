import { execFileSync } from 'node:child_process';
import path from 'node:path';

/** End-to-end tests run the built CLI: rebuild dist/ first when sources are newer. */
export default function setup(): void {
  execFileSync(process.execPath, [path.resolve(import.meta.dirname, '..', '..', 'scripts', 'ensure-build.mjs')], { stdio: 'inherit' });
}
