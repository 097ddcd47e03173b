#!/usr/bin/env node
import { configFromProcess } from '../config.js';
import { processIo } from './io.js';
import { runCli } from './run-cli.js';

try {
  process.exitCode = await runCli(process.argv.slice(2), configFromProcess(), processIo);
} catch (error) {
  // Unexpected failures (a database that is down, a full disk) get one line, not a stack trace.
  processIo.err(`vow: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}
