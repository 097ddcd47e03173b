import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import type { Config } from '../config.js';
import { VowError } from '../errors.js';
import { openStore } from '../store/open-store.js';
import { importSocial } from '../vault/import-social.js';
import { openVault } from '../vault/open-vault.js';
import { parseSocialExport, type InteractionKind, type Platform } from '../vault/social/parse-social-export.js';
import { declarationInForce } from './declaration-in-force.js';
import type { Io } from './io.js';

export interface ImportSocialOptions {
  platform?: Platform;
  kind?: InteractionKind;
  format?: 'json' | 'csv';
}

/** `vow import social FILE`: the same import as POST /v1/social/imports, from a file. */
export async function importSocialCommand(config: Config, io: Io, file: string, options: ImportSocialOptions): Promise<number> {
  const format = options.format ?? (extname(file).toLowerCase() === '.csv' ? 'csv' : 'json');
  const content = await readFile(file).catch(() => {
    throw new VowError('not_found', `${file}: no such file`);
  });
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(content);
  } catch {
    throw new VowError('bad_request', `${file} is not valid UTF-8`);
  }
  const data = parseSocialExport({ content: text, format, ...(options.platform ? { platform: options.platform } : {}), ...(options.kind ? { kind: options.kind } : {}) });
  const store = await openStore(config);
  try {
    const declaration = await declarationInForce(store.db, config, io);
    const vault = await openVault({ db: store.db, dataDir: config.dataDir, masterKeys: config.masterKeys, masterKeyFile: config.masterKeyFile, declaration });
    const result = await importSocial(vault, { data, actor: 'cli' });
    io.out(
      `imported ${result.importId}: ${result.interactions} interactions from ${result.subjects} people (${result.newSubjects} new), ${result.aggregates} aggregates`,
    );
    return 0;
  } finally {
    await store.close();
  }
}
