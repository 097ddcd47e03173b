import type { Config } from '../config.js';
import { VowError } from '../errors.js';
import { openStore } from '../store/open-store.js';
import { confirmRecipientTask } from '../requests/confirm-system-task.js';
import { listRecipientTasks } from '../webhooks/recipient-tasks.js';
import { recipientTaskIdPattern } from '../webhooks/webhook-ids.js';
import type { Io } from './io.js';
import { withVault } from './with-vault.js';

/** `vow recipients tasks`: one line a task — id, status, event, recipient, subject, fields. */
export async function recipientTasksCommand(config: Config, io: Io, options: { status?: 'open' | 'done' }): Promise<number> {
  const store = await openStore(config);
  try {
    const tasks = await listRecipientTasks(store.db, { limit: 1000, ...(options.status ? { status: options.status } : {}) });
    if (tasks.length === 0) io.out('no recipient tasks');
    for (const task of tasks) {
      io.out([task.id, task.status, task.event, task.recipient, task.subjectId, task.fields ? `fields=${task.fields.join(',')}` : '', task.requestId !== null ? `request=${task.requestId}` : '', task.createdAt].filter(Boolean).join('  '));
    }
    return 0;
  } finally {
    await store.close();
  }
}

/** `vow recipients done ID`: the recipient was told. */
export async function recipientTaskDoneCommand(config: Config, io: Io, id: string): Promise<number> {
  if (!recipientTaskIdPattern.test(id)) throw new VowError('bad_request', 'must be a recipient task id (rtk_ followed by 22 characters)');
  return withVault(config, io, async (vault) => {
    const task = await confirmRecipientTask(vault, { id, actor: 'cli' });
    io.out(`${task.id} done: ${task.recipient} told of the ${task.event} of ${task.subjectId}${task.requestId !== null ? ` (request ${task.requestId})` : ''}`);
    return 0;
  });
}
