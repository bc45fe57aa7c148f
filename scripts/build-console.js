// Builds the web console (web/ → web/dist) during `npm install` / `npm ci`. An install without the
// build tools (`--omit=dev`) skips it and says so: the API still runs, the pages ask to be built.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

let vite;
try {
  vite = await import('vite');
} catch {
  console.warn(readFileSync(new URL('../prompts/console/build-skipped.txt', import.meta.url), 'utf8').trim());
  process.exit(0);
}
await vite.build({ configFile: fileURLToPath(new URL('../web/vite.config.ts', import.meta.url)), logLevel: 'warn' });
