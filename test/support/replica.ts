/**
 * A PostgreSQL primary and a streaming standby of it, made for the test and dropped after:
 * two clusters of the machine's own PostgreSQL (`pg_createcluster`), the standby cloned by
 * `pg_basebackup -R` and following the primary's WAL. The machine's main cluster is not
 * touched. Needs root (as CI has) and Debian's postgresql-common; `available` says whether
 * this machine can.
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { promisify } from 'node:util';
import pg from 'pg';

const run = promisify(execFile);
const version = existsSync('/etc/postgresql') ? readdirSync('/etc/postgresql').sort().at(-1) : undefined;

export const replicaAvailable = version !== undefined && process.getuid?.() === 0 && existsSync('/usr/bin/pg_createcluster');

export interface Replicated {
  primaryUrl: string;
  replicaUrl: string;
  /** Holds the standby's replay (its reads then lag), or lets it go on. */
  pauseReplay(paused: boolean): Promise<void>;
  /** Waits until the standby has replayed everything the primary wrote so far. */
  caughtUp(): Promise<void>;
  drop(): Promise<void>;
}

const query = async (url: string, text: string): Promise<pg.QueryResult<Record<string, unknown>>> => {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await client.query<Record<string, unknown>>(text);
  } finally {
    await client.end();
  }
};

export async function createReplicatedPair(): Promise<Replicated> {
  if (!version) throw new Error('no PostgreSQL here');
  const tag = `${process.pid}${Math.floor(Math.random() * 1e6)}`;
  const primary = `vowp${tag}`;
  const standby = `vows${tag}`;
  const primaryPort = 20_000 + Math.floor(Math.random() * 20_000);
  const standbyPort = primaryPort + 1;
  const drop = async () => {
    for (const name of [standby, primary]) await run('pg_dropcluster', ['--stop', version, name]).catch(() => undefined);
  };
  try {
    await run('pg_createcluster', [version, primary, '--port', String(primaryPort), '--', '--auth=trust']);
    // Replication connections from this machine, trusted as the main cluster trusts its own.
    await run('sh', ['-c', `echo "host replication all 127.0.0.1/32 trust" >> /etc/postgresql/${version}/${primary}/pg_hba.conf`]);
    await run('pg_ctlcluster', ['--skip-systemctl-redirect', version, primary, 'start']);
    await run('pg_createcluster', [version, standby, '--port', String(standbyPort)]);
    const data = `/var/lib/postgresql/${version}/${standby}`;
    await run('sh', ['-c', `find ${data} -mindepth 1 -delete && su postgres -c "pg_basebackup -h 127.0.0.1 -p ${primaryPort} -D ${data} -R -X stream"`]);
    await run('sh', ['-c', `cp /etc/postgresql/${version}/${primary}/pg_hba.conf /etc/postgresql/${version}/${standby}/pg_hba.conf`]);
    await run('pg_ctlcluster', ['--skip-systemctl-redirect', version, standby, 'start']);
    const primaryUrl = `postgres://postgres@127.0.0.1:${primaryPort}/postgres`;
    const replicaUrl = `postgres://postgres@127.0.0.1:${standbyPort}/postgres`;
    const recovering = await query(replicaUrl, 'select pg_is_in_recovery() as standby');
    if (recovering.rows[0]?.standby !== true) throw new Error('the standby is not in recovery');
    return {
      primaryUrl,
      replicaUrl,
      async pauseReplay(paused) {
        await query(replicaUrl, paused ? 'select pg_wal_replay_pause()' : 'select pg_wal_replay_resume()');
      },
      async caughtUp() {
        const { rows } = await query(primaryUrl, 'select pg_current_wal_lsn()::text as lsn');
        const lsn = String(rows[0]?.lsn);
        for (let tries = 0; tries < 200; tries += 1) {
          const replayed = await query(replicaUrl, `select pg_last_wal_replay_lsn() >= '${lsn}'::pg_lsn as done`);
          if (replayed.rows[0]?.done === true) return;
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
        throw new Error('the standby did not catch up within 10 s');
      },
      drop,
    };
  } catch (error) {
    await drop();
    throw error;
  }
}
