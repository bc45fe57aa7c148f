// Builds the web console (web/ → web/dist) during `npm install` / `npm ci`. An install without the
// build tools (`--omit=dev`) skips it and says so: the API still runs, the pages ask to be built.
import { fileURLToPath } from 'node:url';

let vite;
try {
  vite = await import('vite');
} catch {
  console.warn('opsbot: 未安装 vite（开发依赖），跳过控制台页面构建；需要时运行 npm install 后 npm run build:console。');
  process.exit(0);
}
await vite.build({ configFile: fileURLToPath(new URL('../web/vite.config.ts', import.meta.url)), logLevel: 'warn' });
