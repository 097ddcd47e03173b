/**
 * Moves SQLite's checkpoints (copying the write-ahead log back into the database file,
 * with a disk flush before and after) off the server's thread. Left to the connection
 * that commits, a checkpoint runs inside a commit every 1,000 pages of log and blocks
 * the event loop on two flushes: under a stream of events that was a sixth of the wall
 * time. A worker thread with its own connection runs passive checkpoints (which never
 * block a writer or a reader) every few hundred milliseconds, and the committing
 * connection checkpoints only every 10,000 pages: by then the worker has copied and
 * flushed nearly all of it, and only that connection's checkpoint, run between commits,
 * can catch up with the log and let it start over (a passive one chasing a stream of
 * commits never does, and the log would grow without bound).
 *
 * The worker starts only once the log has grown past a threshold, so that short-lived
 * stores (commands, tests) never pay for a thread; until then, and again if the worker
 * fails, the committing connection checkpoints as SQLite does by default.
 */
import { statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type SQLite from 'better-sqlite3';

export interface WalCheckpointer {
  /** Stops the worker (its connection closed) and the watch on the log. */
  close(): Promise<void>;
}

export interface WalCheckpointerOptions {
  /** Log size from which the worker takes over. Default 2 MB (about half of SQLite's own threshold). */
  startBytes?: number;
  /** How often the log's size is looked at, and the worker checkpoints. Default 200 ms. */
  intervalMs?: number;
}

/** SQLite's default: a checkpoint by the committing connection past this many pages of log. */
const DEFAULT_AUTOCHECKPOINT = 1000;
/** With the worker: about 40 MB of log at most between two restarts of it. */
const WORKER_AUTOCHECKPOINT = 10_000;

// Plain CommonJS evaluated in the worker (no file to find next to either the sources or
// the build); the driver is loaded by the absolute path the main thread resolved.
const workerSource = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file);
db.pragma('synchronous = NORMAL');
const timer = setInterval(() => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch (error) {
    // Busy or locked: the next round tries again.
    if (!String(error && error.code).startsWith('SQLITE_BUSY') && !String(error && error.code).startsWith('SQLITE_LOCKED')) throw error;
  }
}, workerData.intervalMs);
parentPort.on('message', () => {
  clearInterval(timer);
  db.close();
  parentPort.close();
});
`;

/**
 * Watches the database's log and, once it grows, hands checkpoints to a worker thread.
 *
 *   const checkpointer = startWalCheckpointer(database, '/var/lib/vow/vow.db');
 *   // … on shutdown:
 *   await checkpointer.close();
 */
export function startWalCheckpointer(database: SQLite.Database, file: string, options: WalCheckpointerOptions = {}): WalCheckpointer {
  const startBytes = options.startBytes ?? 2 * 1024 * 1024;
  const intervalMs = options.intervalMs ?? 200;
  let worker: Worker | undefined;
  let exited: Promise<void> | undefined;
  let closed = false;

  const start = () => {
    const driver = createRequire(import.meta.url).resolve('better-sqlite3');
    const started = new Worker(workerSource, { eval: true, workerData: { driver, file, intervalMs } });
    // A checkpoint interrupted by the process exiting is safe: SQLite resumes from the log.
    started.unref();
    exited = new Promise<void>((resolve) => {
      started.once('exit', () => {
        resolve();
      });
    });
    started.once('error', () => undefined);
    void exited.then(() => {
      worker = undefined;
      // Whatever ended the worker, the committing connection checkpoints again.
      if (!closed && database.open) database.pragma(`wal_autocheckpoint = ${DEFAULT_AUTOCHECKPOINT}`);
    });
    worker = started;
    database.pragma(`wal_autocheckpoint = ${WORKER_AUTOCHECKPOINT}`);
  };

  const watch = setInterval(() => {
    let size = 0;
    try {
      size = statSync(`${file}-wal`).size;
    } catch {
      return;
    }
    if (size >= startBytes) {
      clearInterval(watch);
      start();
    }
  }, intervalMs);
  watch.unref();

  return {
    async close() {
      closed = true;
      clearInterval(watch);
      if (worker) {
        // Held open until the worker has closed its connection.
        worker.ref();
        worker.postMessage('close');
        await exited;
      }
    },
  };
}
