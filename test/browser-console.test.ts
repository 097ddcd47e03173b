/** The console in Chromium against a real `vow serve` on SQLite (the specification: `support/console-spec.ts`). */
import { describeConsole } from './support/console-spec.js';

describeConsole('sqlite');
