import type { Config } from '../config.js';
import { closeAccount } from '../vault/close-account.js';
import type { Io } from './io.js';
import { withVault } from './with-vault.js';

/** `vow accounts close SUBJECT`: records the closure that retention counts from. */
export function accountsCloseCommand(config: Config, io: Io, subjectId: string): Promise<number> {
  return withVault(config, io, async (vault) => {
    const closed = await closeAccount(vault, { subjectId, actor: 'cli' });
    io.out(closed.closedNow ? `closed ${closed.subjectId} at ${closed.closedAt}` : `${closed.subjectId} was already closed at ${closed.closedAt}`);
    return 0;
  });
}
