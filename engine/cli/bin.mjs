#!/usr/bin/env node
// The `voxnas` command. The engine is TypeScript; tsx compiles it on the fly (cached), so the
// command works straight after `npm ci`, with no build step.
import { register } from 'tsx/esm/api';

register();
const { runCli } = await import('./run-cli.ts');
process.exitCode = await runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr });
