#!/usr/bin/env node
// Entry point of the `mobilize` command. Node 24 runs the TypeScript sources directly.
import { runCli } from '../src/cli/index.ts';

await runCli(process.argv);
