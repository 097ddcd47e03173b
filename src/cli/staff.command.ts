import { readFile } from 'node:fs/promises';
import { createStaffAccount, removeSecondFactor } from '../auth/staff-sessions.js';
import { isRole } from '../auth/role.js';
import type { Config } from '../config.js';
import { VowError } from '../errors.js';
import type { Io } from './io.js';
import { withVault } from './with-vault.js';

export interface StaffCreateOptions {
  email: string;
  role: string;
  purpose?: string[];
  passwordFile: string;
}

/** `vow staff create`: a console account (the first admin among them); the password is read from a file, never from the command line, where others could see it. */
export function staffCreateCommand(config: Config, io: Io, options: StaffCreateOptions): Promise<number> {
  return withVault(config, io, async (vault) => {
    if (!isRole(options.role) || options.role === 'site') throw new VowError('bad_request', `${options.role} is not a staff role: admin, privacy-officer, support or auditor`);
    let password: string;
    try {
      password = (await readFile(options.passwordFile, 'utf8')).replace(/\r?\n$/, '');
    } catch {
      throw new VowError('bad_request', `cannot read the password file ${options.passwordFile}`);
    }
    const account = await createStaffAccount(vault, { email: options.email, password, role: options.role, ...(options.purpose ? { purposes: options.purpose } : {}), actor: 'cli' });
    io.out(`${account.id} created: ${account.email} (${account.role}); sign in at /v1/session`);
    return 0;
  });
}

/** `vow staff remove-second-factor`: for a lost phone, by whoever runs the server; the account's sessions end with it. */
export function staffRemoveSecondFactorCommand(config: Config, io: Io, email: string): Promise<number> {
  return withVault(config, io, async (vault) => {
    const id = await removeSecondFactor(vault, { email, actor: 'cli' });
    io.out(`${id}: the second factor is removed and every session ended; the next sign-in asks for the password alone`);
    return 0;
  });
}
