import { execFileSync } from 'node:child_process';
import path from 'node:path';

/**
 * End-to-end tests run the built CLI: rebuild dist/ first when sources are newer. A type error
 * does not stop the run here (tsc still emits, and `npm run typecheck` is what judges types), so
 * unit tests of one module are not held hostage by work in progress in another.
 */
export default function setup(): void {
  try {
    execFileSync(process.execPath, [path.resolve(import.meta.dirname, '../../scripts/ensure-build.mjs')], { stdio: 'inherit' });
  } catch {
    process.stderr.write('vigil: the build reported errors; end-to-end tests run the JavaScript it emitted anyway\n');
  }
}
