#!/usr/bin/env node
// Runs the TypeScript sources directly (tsx), so `npx opsbot` needs no build step to remember.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv);
