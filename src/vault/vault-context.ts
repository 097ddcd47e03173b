import type { Kysely } from 'kysely';
import type { Faults } from '../fault-points.js';
import type { Declaration } from '../policy/declaration.js';
import type { GroupCommit } from '../store/group-commit.js';
import type { Database } from '../store/schema.js';
import type { Keyring } from './keyring.js';

/** What the vault's use cases need: built once in app.ts and passed in. */
export interface VaultContext {
  db: Kysely<Database>;
  keyring: Keyring;
  blindKey: Buffer;
  /** The operator's leave for webhooks to reach loopback and private addresses (VOW_WEBHOOK_PRIVATE_ADDRESSES); off when absent. */
  webhookPrivateAddresses?: boolean;
  /** The number of the version in force, when the vault follows the published policy (a server, a command); absent for a fixed declaration. */
  versionInForce?: () => number;
  /** Reads an environment variable the declaration names (a declared system's connection); absent where none may be read. */
  variable?: ((name: string) => string | undefined) | undefined;
  /** Starts running declared systems' tasks just queued (the server's task runner); absent, the periodic job takes them. */
  onSystemTasks?: (() => void) | undefined;
  /** Consent decisions share their commits (`store/group-commit.ts`) in a server; absent, each has a transaction of its own. */
  consentCommits?: GroupCommit | undefined;
  /** Where the crash tests fail or kill work that spans transactions; absent outside them. */
  faults?: Faults | undefined;
  /** The declaration in force (the latest published version), read afresh at each use: never keep it across requests. */
  readonly declaration: Declaration;
}

/**
 * The same context reading from `reads` (a replica that may lag a few seconds): for lists
 * and reports only, never for a read that decides a write. Everything else, the declaration
 * in force included, is the context's own.
 */
export function readingFrom(ctx: VaultContext, reads: Kysely<Database>): VaultContext {
  return reads === ctx.db ? ctx : (Object.create(ctx, { db: { value: reads, enumerable: true } }) as VaultContext);
}
