import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { examplePolicy } from '../../test/support/fixtures.js';
import { runCli } from '../cli/run-cli.js';
import { loadConfig } from '../config.js';
import { parseDeclaration } from '../policy/load-declaration.js';
import { openStore } from '../store/open-store.js';
import { dataPlaces, reachOf, systemsReached } from './data-places.js';

const folder = mkdtempSync(join(tmpdir(), 'vow-data-places-'));
afterAll(() => {
  rmSync(folder, { recursive: true, force: true });
});

const text = `${readFileSync(examplePolicy, 'utf8')}
systems:
  - id: shop
    engine: postgres
    description: The shop
    connection: SHOP_DATABASE_URL
    tables:
      - name: users
        identity: { column: email, type: email }
        fields: [{ column: email, category: account, field: email }]
        erase: delete
  - id: crm
    engine: http
    description: The CRM
    connection: CRM_API_URL
    fields: [{ category: account, field: name }]
    erasure: { method: DELETE, url: '/contacts/{email}' }
  - id: archive
    engine: manual
    description: The paper archive
    fields: [{ category: account, field: birthDate }]
`;

const parsed = parseDeclaration(text);
if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
const declaration = parsed.declaration;
const place = (id: string) => {
  const found = dataPlaces(declaration).find((candidate) => candidate.id === id);
  if (!found) throw new Error(`no place ${id}`);
  return found;
};

describe('one registry of where a subject’s data lives, and how each right reaches it', () => {
  it('lists Vow first, then every declared system, then every recipient', () => {
    const ids = dataPlaces(declaration).map((candidate) => candidate.id);
    expect(ids.slice(0, 4)).toEqual(['vow', 'shop', 'crm', 'archive']);
    expect(ids.slice(4)).toEqual(declaration.recipients.map((recipient) => `recipient:${recipient.id}`));
  });

  it('reaches Vow in the request’s transaction, databases and declared calls by Vow, the rest by staff', () => {
    expect(['access', 'erasure', 'correction'].map((action) => reachOf(place('vow'), action as 'access'))).toEqual(['in-transaction', 'in-transaction', 'in-transaction']);
    expect(reachOf(place('shop'), 'erasure')).toBe('by-vow');
    expect(reachOf(place('crm'), 'erasure')).toBe('by-vow');
    // The CRM declares no access call: a person gathers it.
    expect(reachOf(place('crm'), 'access')).toBe('by-staff');
    expect(reachOf(place('archive'), 'erasure')).toBe('by-staff');
  });

  it('reaches a place with a correction only when it holds a corrected field', () => {
    expect(systemsReached(declaration, 'correction', { 'account.name': 'Ada King' }).map(({ system }) => system.id)).toEqual(['crm']);
    expect(systemsReached(declaration, 'correction', { 'account.email': 'ada@example.org' }).map(({ system }) => system.id)).toEqual(['shop']);
    expect(systemsReached(declaration, 'erasure').map(({ system, reach }) => `${system.id}:${reach}`)).toEqual(['shop:by-vow', 'crm:by-vow', 'archive:by-staff']);
  });

  it('tells recipients of erasures and corrections, by webhook or by staff, and never asks them for a copy', () => {
    const email = place('recipient:email');
    expect(reachOf(email, 'access')).toBe('not-reached');
    expect(reachOf(email, 'erasure', { hasWebhook: true })).toBe('by-webhook');
    expect(reachOf(email, 'erasure', { hasWebhook: false })).toBe('by-staff');
    expect(reachOf(email, 'correction', { corrected: { 'account.name': 'Ada King' } })).toBe('by-staff');
  });

  it('is printed by vow systems places', async () => {
    const policy = join(folder, 'vow.policy.yaml');
    writeFileSync(policy, text);
    const out: string[] = [];
    const config = loadConfig({ VOW_DATA_DIR: join(folder, 'data'), VOW_POLICY: policy, LOG_LEVEL: 'silent' });
    await (await openStore(config)).close();
    const code = await runCli(['systems', 'places'], config, { out: (line) => out.push(line), err: () => undefined });
    expect(code).toBe(0);
    expect(out[0]).toMatch(/^place +kind +access +erasure +correction +description$/);
    expect(out.find((line) => line.startsWith('archive '))).toMatch(/^archive +system +by-staff +by-staff +by-staff +The paper archive$/);
    expect(out.find((line) => line.startsWith('recipient:email '))).toMatch(/recipient +not-reached +by-staff +by-staff/);
  });
});
