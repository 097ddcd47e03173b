/**
 * Files the operator names (backups, exports): a missing, unreadable or unwritable path is
 * the operator's mistake, answered with a message, not a crash.
 */
import { open, stat, type FileHandle } from 'node:fs/promises';
import { VowError } from '../errors.js';

const reasonOf = (error: unknown): string =>
  typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string' ? error.code : 'unknown error';

/** Refuses before anything is changed when `file` is not a regular file that can be read. */
export async function checkReadableFile(file: string): Promise<void> {
  try {
    const info = await stat(file);
    if (!info.isFile()) throw new VowError('bad_request', `${file} is not a file`);
    await (await open(file, 'r')).close();
  } catch (error) {
    if (error instanceof VowError) throw error;
    throw new VowError('bad_request', `cannot read ${file} (${reasonOf(error)})`);
  }
}

/** Opens `file` for writing, owner-only (0600) even when it existed with a wider mode, before anything is written. */
export async function openOwnerOnly(file: string): Promise<FileHandle> {
  let handle: FileHandle;
  try {
    handle = await open(file, 'w', 0o600);
  } catch (error) {
    throw new VowError('bad_request', `cannot write ${file} (${reasonOf(error)})`);
  }
  await handle.chmod(0o600);
  return handle;
}

/** Writes `data` to `file`, owner-only (0600) even when the file existed with a wider mode. */
export async function writeFileOwnerOnly(file: string, data: string): Promise<void> {
  const handle = await openOwnerOnly(file);
  try {
    await handle.writeFile(data);
  } finally {
    await handle.close();
  }
}
