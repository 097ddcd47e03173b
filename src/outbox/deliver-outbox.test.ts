import { expect, it } from 'vitest';
import { describeEachDatabase, withStore, type TestDatabase } from '../../test/support/databases.js';
import { examplePolicy } from '../../test/support/fixtures.js';
import { startSmtp } from '../../test/support/smtp.js';
import { loadDeclaration } from '../policy/load-declaration.js';
import type { Store } from '../store/open-store.js';
import { openVault } from '../vault/open-vault.js';
import type { VaultContext } from '../vault/vault-context.js';
import { backoffMs, createOutboxDeliverer, smtpTransportOptions } from './deliver-outbox.js';
import { enqueueMessage, readOutbox } from './outbox.js';

async function withVault(database: TestDatabase, test: (vault: VaultContext, store: Store) => Promise<void>): Promise<void> {
  const { declaration } = await loadDeclaration(examplePolicy);
  await withStore(database, async (store) => {
    await test(await openVault({ db: store.db, dataDir: database.dataDir, masterKeys: undefined, declaration }), store);
  });
}

const now = new Date('2026-05-01T08:00:00.000Z');
const message = { to: 'reader@example.com', subject: 'Your code', text: 'enter this code: 424242', kind: 'verification-code' as const };

describeEachDatabase('the outbox', (database) => {
  it('sends nothing in plaintext unless the URL says so: a server without STARTTLS is refused', async () => {
    await withVault(database(), async (vault, store) => {
      await store.db.transaction().execute((trx) => enqueueMessage(vault, trx, message, now));
      const plaintextOnly = await startSmtp();
      const strict = createOutboxDeliverer(vault, { smtpUrl: plaintextOnly.url.replace('?tls=none', ''), mailFrom: undefined });
      try {
        expect(await strict.deliver(now)).toEqual({ sent: 0, failed: 1 });
        expect(plaintextOnly.received).toEqual([]);
        expect((await readOutbox(vault))[0]).toMatchObject({ status: 'pending', attempts: 1 });
      } finally {
        await strict.close();
        await plaintextOnly.close();
      }
    });
    expect(smtpTransportOptions('smtp://relay:25')).toEqual({ url: 'smtp://relay:25', requireTLS: true });
    expect(smtpTransportOptions('smtps://relay:465')).toEqual({ url: 'smtps://relay:465', requireTLS: false });
    expect(smtpTransportOptions('smtp://relay:25?tls=none')).toEqual({ url: 'smtp://relay:25', requireTLS: false });
  });

  it('keeps messages sealed; a failed delivery is recorded without the address and retried with backoff until the server takes it', async () => {
    await withVault(database(), async (vault, store) => {
      const id = await store.db.transaction().execute((trx) => enqueueMessage(vault, trx, message, now));
      const row = await store.db.selectFrom('outbox_messages').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
      expect(JSON.stringify(row)).not.toContain('reader@example.com');
      expect(JSON.stringify(row)).not.toContain('424242');

      // A server that went away: the port is closed.
      const gone = await startSmtp();
      await gone.close();
      const failing = createOutboxDeliverer(vault, { smtpUrl: `${gone.url}&connectionTimeout=2000`, mailFrom: undefined });
      expect(await failing.deliver(now)).toEqual({ sent: 0, failed: 1 });
      await failing.close();
      const [afterFailure] = await readOutbox(vault);
      expect(afterFailure).toMatchObject({ status: 'pending', attempts: 1 });
      expect(afterFailure?.lastError).toMatch(/^delivery failed/);
      expect(afterFailure?.lastError).not.toContain('reader@');
      expect(new Date(afterFailure?.nextAttemptAt ?? 0).getTime()).toBeGreaterThan(Date.now() + backoffMs(1) - 5000);
      expect(backoffMs(3)).toBe(4 * 60_000);

      const smtp = await startSmtp();
      const deliverer = createOutboxDeliverer(vault, { smtpUrl: smtp.url, mailFrom: undefined });
      try {
        // Not due yet: nothing is sent before its backoff ends.
        expect(await deliverer.deliver(new Date())).toEqual({ sent: 0, failed: 0 });
        expect(await deliverer.deliver(new Date(Date.now() + backoffMs(1) + 1000))).toEqual({ sent: 1, failed: 0 });
        const mail = await smtp.waitFor((received) => received.raw.includes('424242'));
        expect(mail.from).toBe(vault.declaration.organization.contactEmail);
        expect((await readOutbox(vault))[0]).toMatchObject({ status: 'sent', attempts: 2 });
        // Sent messages go after 30 days.
        await deliverer.deliver(new Date(Date.now() + 31 * 24 * 60 * 60 * 1000));
        expect(await readOutbox(vault)).toEqual([]);
      } finally {
        await deliverer.close();
        await smtp.close();
      }
    });
  });
});
