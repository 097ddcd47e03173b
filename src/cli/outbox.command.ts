/** `vow outbox`: the messages queued and sent, decrypted, for the operator (who sends them by hand when no SMTP is set). */
import type { Config } from '../config.js';
import { readOutbox } from '../outbox/outbox.js';
import type { Io } from './io.js';
import { withVault } from './with-vault.js';

export function outboxCommand(config: Config, io: Io, options: { status?: 'pending' | 'sent' | 'failed'; limit: number }): Promise<number> {
  return withVault(config, io, async (vault) => {
    const messages = await readOutbox(vault, { limit: options.limit, ...(options.status ? { status: options.status } : {}) });
    if (messages.length === 0) io.out('the outbox is empty');
    for (const message of messages) {
      io.out(
        [
          `${message.id}  ${message.status}  ${message.kind}  ${message.createdAt}${message.attempts > 0 ? `  attempts ${message.attempts}` : ''}${message.lastError ? `  ${message.lastError}` : ''}`,
          `To: ${message.to}`,
          `Subject: ${message.subject}`,
          '',
          message.text,
          '---',
        ].join('\n'),
      );
    }
    return 0;
  });
}
