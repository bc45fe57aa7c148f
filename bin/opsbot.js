#!/usr/bin/env node
// Runs the CLI: the compiled build of exactly the current sources when there is one (see bin/compiled.js;
// `npm install` makes it), else the TypeScript sources through tsx, so `npx opsbot` never runs old code
// and needs no build step to remember. OPSBOT_FROM_SOURCE=1 runs the sources even when a build exists.
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { compiledMain, holdBuild } from './compiled.js';

const compiled = process.env.OPSBOT_FROM_SOURCE === '1' ? undefined : compiledMain(join(dirname(fileURLToPath(import.meta.url)), '..'));
if (compiled) holdBuild(compiled);
else (await import('tsx/esm/api')).register();
const { main } = await import(compiled ? pathToFileURL(compiled).href : '../src/cli/main.ts');
process.exitCode = await main(process.argv);
