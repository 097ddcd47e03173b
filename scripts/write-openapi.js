// Writes the HTTP API's OpenAPI document to dist/openapi.json, from the built server itself
// (a throwaway SQLite store with the example policy), so that the console's client is typed
// from exactly what the routes accept and answer (openapi-typescript reads the file).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, URL } from 'node:url';
import { createVow } from '../dist/app.js';
import { loadConfig } from '../dist/config.js';

const out = fileURLToPath(new URL('../dist/openapi.json', import.meta.url));
const dataDir = mkdtempSync(join(tmpdir(), 'vow-openapi-'));
try {
  const vow = await createVow(loadConfig({ VOW_DATA_DIR: dataDir, LOG_LEVEL: 'silent' }));
  try {
    writeFileSync(out, `${JSON.stringify(vow.server.swagger(), null, 2)}\n`);
  } finally {
    await vow.close();
  }
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}
