import { issueApiKey, validatePurposes } from '../auth/api-key.js';
import type { Role } from '../auth/role.js';
import type { Config } from '../config.js';
import { openStore } from '../store/open-store.js';
import { declarationInForce } from './declaration-in-force.js';
import type { Io } from './io.js';

export interface KeysIssueOptions {
  role: Role;
  purpose: string[];
  label: string;
}

/** Issues an API key; the secret alone goes to stdout (so it can be captured), the notes to stderr. */
export async function keysIssueCommand(config: Config, io: Io, options: KeysIssueOptions): Promise<number> {
  const store = await openStore(config);
  try {
    if (options.purpose.length > 0) validatePurposes(await declarationInForce(store.db, config, io), options.purpose);
    const issued = await issueApiKey(store.db, { role: options.role, purposes: options.purpose, label: options.label, actor: 'cli' });
    const purposes = options.purpose.length > 0 ? options.purpose.join(', ') : 'none';
    io.err(`issued API key ${issued.id} for role ${options.role} (purposes: ${purposes})`);
    io.out(issued.secret);
    io.err('store this secret now: it will not be shown again');
    return 0;
  } finally {
    await store.close();
  }
}
