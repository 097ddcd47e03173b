/**
 * The audit chain's checkpoints leave the database: served at a well-known URL and
 * written by `vow audit checkpoint`, and `vow audit verify --checkpoint` proves the log
 * against one, so that cutting the log back to before it is caught.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { createVow } from '../src/app.js';
import { runCli } from '../src/cli/run-cli.js';
import { describeEachDatabase } from './support/databases.js';

describeEachDatabase('audit checkpoints', (database) => {
  it('serves a signed checkpoint, and verifies the log against it until the log is cut', async () => {
    const config = database().config();
    const vow = await createVow(config);
    const lines: string[] = [];
    const io = { out: (text: string) => lines.push(text), err: (text: string) => lines.push(text) };
    try {
      await vow.server.inject({ method: 'POST', url: '/v1/communications', payload: { name: 'Ada', email: 'ada@example.com', message: 'Hello' } });
      const served = await vow.server.inject({ method: 'GET', url: '/.well-known/vow-audit-checkpoint.json' });
      expect(served.statusCode, served.body).toBe(200);
      const checkpoint = served.json<{ seq: number; hash: string; signature: string; publicKey: string }>();
      expect(checkpoint.seq).toBeGreaterThan(0);
      expect(checkpoint.publicKey).toBe((await vow.server.inject({ method: 'GET', url: '/.well-known/vow-signing-key.pem' })).body);
      const file = join(mkdtempSync(join(tmpdir(), 'vow-checkpoint-')), 'checkpoint.json');
      writeFileSync(file, served.body);

      expect(await runCli(['audit', 'verify', '--checkpoint', file], config, io)).toBe(0);
      expect(lines.at(-1)).toMatch(new RegExp(`^OK \\d+ records, .*checkpoint of .* \\(record ${checkpoint.seq}\\) holds$`));

      // The log cut back before the checkpoint, and its head moved to match: the chain agrees, the head's MAC does not.
      const kept = await vow.store.db.selectFrom('audit_log').select(['seq', 'hash']).where('seq', '<', checkpoint.seq).orderBy('seq', 'desc').executeTakeFirstOrThrow();
      await vow.store.db.deleteFrom('audit_log').where('seq', '>', kept.seq).execute();
      await vow.store.db.updateTable('audit_head').set({ seq: kept.seq, hash: kept.hash }).execute();
      expect(await runCli(['audit', 'verify'], config, io)).toBe(1);
      expect(lines.at(-1)).toBe(`BROKEN at record ${kept.seq}: the head of the log does not carry this installation’s MAC: the log was cut, reset, rehashed or appended to without the key`);
      expect(await runCli(['audit', 'verify', '--checkpoint', file], config, io)).toBe(1);
      expect(lines.at(-1)).toContain(`BROKEN at record ${checkpoint.seq}`);

      // The head row deleted: a verdict, not an error.
      await vow.store.db.deleteFrom('audit_head').execute();
      expect(await runCli(['audit', 'verify'], config, io)).toBe(1);
      expect(lines.at(-1)).toBe(`BROKEN at record ${kept.seq + 1}: the head row of the log is missing`);

      writeFileSync(file, '{"format":"something else"}');
      expect(await runCli(['audit', 'verify', '--checkpoint', file], config, io)).not.toBe(0);
      expect(lines.at(-1)).toContain('not a Vow audit checkpoint');
    } finally {
      await vow.close();
    }
  });
});
