#!/usr/bin/env node
// Launcher for the `baton-conformance` CLI: Node 24 strips TypeScript types, so it imports the sources directly.
import { main } from '../src/cli.ts';

process.exitCode = await main(process.argv.slice(2));
