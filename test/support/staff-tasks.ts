/** What staff do for a waiting request in the tests: tell each recipient without a webhook, and confirm it. */
import { expect } from 'vitest';
import type { Vow } from '../../src/app.js';

interface Task {
  id: string;
  system: string;
  status: string;
}

/** Confirms every recipient task a request waits for, through the API; returns the recipients told. */
export async function tellRecipientsOf(vow: Vow, headers: { authorization: string }, requestId: string): Promise<string[]> {
  const shown = await vow.server.inject({ method: 'GET', url: `/v1/requests/${requestId}`, headers });
  expect(shown.statusCode, shown.body).toBe(200);
  const waiting = shown.json<{ tasks: Task[] }>().tasks.filter((task) => task.system.startsWith('recipient:') && task.status === 'waiting-for-staff');
  for (const task of waiting) {
    const done = await vow.server.inject({ method: 'POST', url: `/v1/requests/${requestId}/tasks/${task.id}/done`, headers, payload: { reason: 'told the recipient by e-mail' } });
    expect(done.statusCode, done.body).toBe(200);
  }
  return waiting.map((task) => task.system.slice('recipient:'.length));
}
