/**
 * The master keys, which never sit in the database: from VOW_MASTER_KEY (and
 * VOW_PREVIOUS_MASTER_KEYS during a rotation), or from a key file (VOW_MASTER_KEY_FILE,
 * by default in the data folder), created on first start with mode 0600. The file holds one base64 key per line, the
 * current key last; `vow keys rotate` appends a new one, and a running server picks it
 * up the next time it meets a key it does not know, or within a second when wrapping.
 */
import { createHash, hkdfSync, randomBytes } from 'node:crypto';
import { appendFileSync, chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { VowError } from '../errors.js';
import { open, seal } from './aes-gcm.js';

export const KEY_FILE = 'master.keys';
const KEY_BYTES = 32;
const RECHECK_MS = 1000;

export interface Wrapped {
  masterKeyId: string;
  wrapped: string;
}

export interface Keyring {
  /** Id of the key new data keys are wrapped with. */
  currentId(): string;
  /** Wraps a data key under the current master key, bound to `context` (e.g. the subject id). */
  wrap(dataKey: Buffer, context: string): Wrapped;
  unwrap(key: Wrapped, context: string): Buffer;
  /**
   * A key for `purpose` derived (HKDF-SHA256) from the current master key, with that key's
   * id. Derived keys are never stored: whoever holds the master key derives them again.
   */
  derive(purpose: string): { masterKeyId: string; key: Buffer };
  /** The key for `purpose` derived from the master key `masterKeyId`, or undefined when that key is not available. */
  deriveFrom(masterKeyId: string, purpose: string): Buffer | undefined;
  /** Key file only: appends a fresh master key and makes it current. */
  addKey(): string;
  /** Key file only: keeps just the current key, once nothing is wrapped under the others. */
  retireOldKeys(): void;
  readonly source: 'environment' | 'file';
}

const withId = (key: Buffer) => ({ id: masterKeyId(key), key });

export function masterKeyId(key: Buffer): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 16);
}

function decodeKey(text: string, where: string): Buffer {
  const key = Buffer.from(text.trim(), 'base64');
  if (key.length !== KEY_BYTES) throw new VowError('bad_request', `${where}: a master key must be base64 of ${KEY_BYTES} bytes`);
  return key;
}

const deriveKey = (master: Buffer, purpose: string) => Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), `vow:derived:${purpose}`, KEY_BYTES));

export interface KeySource {
  dataDir: string;
  masterKeys: readonly string[] | undefined;
  /** The key file; `master.keys` in the data folder when absent. */
  masterKeyFile?: string | undefined;
}

/** Where the key file is when the keys do not come from the environment. */
export function keyFileOf(source: KeySource): string {
  return source.masterKeyFile ?? join(source.dataDir, KEY_FILE);
}

export function openKeyring(options: KeySource): Keyring {
  const file = keyFileOf(options);
  const fromEnvironment = options.masterKeys;
  // Ids are computed once per load: unwrapping is on every read's path.
  let keys: { id: string; key: Buffer }[] = [];
  let loadedText = '';
  let checkedAt = 0;

  const load = () => {
    if (fromEnvironment) {
      keys = fromEnvironment.map((text, index) => withId(decodeKey(text, index === 0 ? 'VOW_MASTER_KEY' : 'VOW_PREVIOUS_MASTER_KEYS')));
      return;
    }
    if (!existsSync(file)) {
      mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
      writeFileSync(file, `${randomBytes(KEY_BYTES).toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
    }
    loadedText = readFileSync(file, 'utf8');
    // Current key last in the file; keep it first here.
    keys = loadedText
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line, index) => withId(decodeKey(line, `${file} line ${index + 1}`)))
      .reverse();
  };

  const reloadIfChanged = (force: boolean) => {
    if (fromEnvironment) return;
    const now = Date.now();
    if (!force && now - checkedAt < RECHECK_MS) return;
    checkedAt = now;
    if (readFileSync(file, 'utf8') !== loadedText) load();
  };

  const find = (id: string) => keys.find((entry) => entry.id === id)?.key;
  const current = () => {
    const [entry] = keys;
    if (!entry) throw new VowError('unavailable', 'no master key');
    return entry;
  };

  load();
  return {
    source: fromEnvironment ? 'environment' : 'file',
    currentId: () => {
      reloadIfChanged(false);
      return current().id;
    },
    wrap(dataKey, context) {
      reloadIfChanged(false);
      const { id, key } = current();
      return { masterKeyId: id, wrapped: seal(key, dataKey, `vow:key:${context}`) };
    },
    unwrap({ masterKeyId: id, wrapped }, context) {
      let key = find(id);
      if (!key) {
        reloadIfChanged(true);
        key = find(id);
      }
      if (!key) throw new VowError('unavailable', `master key ${id} is not available: set it in VOW_PREVIOUS_MASTER_KEYS`);
      return open(key, wrapped, `vow:key:${context}`);
    },
    derive(purpose) {
      reloadIfChanged(false);
      const { id, key } = current();
      return { masterKeyId: id, key: deriveKey(key, purpose) };
    },
    deriveFrom(id, purpose) {
      let key = find(id);
      if (!key) {
        reloadIfChanged(true);
        key = find(id);
      }
      return key && deriveKey(key, purpose);
    },
    addKey() {
      if (fromEnvironment) {
        throw new VowError('bad_request', 'the master key comes from VOW_MASTER_KEY: set the new key there and the old one in VOW_PREVIOUS_MASTER_KEYS');
      }
      const key = randomBytes(KEY_BYTES);
      appendFileSync(file, `${key.toString('base64')}\n`, { mode: 0o600 });
      chmodSync(file, 0o600);
      load();
      return masterKeyId(key);
    },
    retireOldKeys() {
      if (fromEnvironment) return;
      const temporary = `${file}.${process.pid}.tmp`;
      writeFileSync(temporary, `${current().key.toString('base64')}\n`, { mode: 0o600 });
      renameSync(temporary, file);
      load();
    },
  };
}
