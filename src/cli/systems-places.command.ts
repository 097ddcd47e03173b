import type { Config } from '../config.js';
import { dataPlaces, reachOf, type DataPlace } from '../subject-data/data-places.js';
import type { SystemTaskAction } from '../systems/system-task.js';
import { listWebhooks } from '../webhooks/register-webhook.js';
import type { Io } from './io.js';
import { withVault } from './with-vault.js';

const actions: readonly SystemTaskAction[] = ['access', 'erasure', 'correction'];

/**
 * `vow systems places`: every place a subject's data lives, and how each right reaches it
 * (the registry requests complete through). A correction is shown for a change to any
 * field the place holds.
 */
export function systemsPlacesCommand(config: Config, io: Io): Promise<number> {
  return withVault(config, io, async (vault) => {
    const hooked = new Set((await listWebhooks(vault)).map((endpoint) => endpoint.recipient));
    const rows = dataPlaces(vault.declaration).map((place: DataPlace) => {
      const reaches = actions.map((action) => reachOf(place, action, { hasWebhook: place.kind === 'recipient' && hooked.has(place.recipient.id) }));
      return [place.id, place.kind, ...reaches, place.description];
    });
    const header = ['place', 'kind', ...actions, 'description'];
    const widths = header.map((title, index) => Math.max(title.length, ...rows.map((row) => (row[index] ?? '').length)));
    for (const row of [header, ...rows]) io.out(row.map((cell, index) => (index === row.length - 1 ? cell : cell.padEnd(widths[index] ?? 0))).join('  '));
    return 0;
  });
}
