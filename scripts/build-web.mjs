// Builds the analyst console (web/) into dist/web, where the server serves it (src/api/routes/ui.ts).
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
await build({
  configFile: path.join(root, 'web', 'vite.config.ts'),
  logLevel: process.env.VIGIL_WEB_BUILD_LOG ?? 'warn',
});
