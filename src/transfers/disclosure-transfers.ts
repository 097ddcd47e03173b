/**
 * The transfers a disclosure makes: one per disclosed subject collected outside the
 * recipient's country, each covered by a declared transfer. A subject whose data would
 * cross on a route no transfer covers makes the whole disclosure refusable.
 */
import type { Declaration } from '../policy/declaration.js';
import type { TransferRecord } from './transfer.repository.js';
import { disclosureRoute } from './transfer-routes.js';

export type DisclosureTransfers =
  | { allowed: true; records: TransferRecord[] }
  /** `undeclared`: origin country → how many subjects would cross from it. */
  | { allowed: false; to: string; undeclared: Map<string, number>; message: string };

export function disclosureTransfers(
  declaration: Pick<Declaration, 'transfers'>,
  subjects: Iterable<{ id: string; region: string | null }>,
  options: { to: string; disclosureId: string; now: string },
): DisclosureTransfers {
  const records: TransferRecord[] = [];
  const undeclared = new Map<string, number>();
  for (const subject of subjects) {
    const crossing = disclosureRoute(declaration, subject.region, options.to);
    if (crossing.kind === 'route') records.push({ subjectId: subject.id, ...crossing.route, basis: options.disclosureId, firstAt: options.now });
    if (crossing.kind === 'undeclared') undeclared.set(crossing.from, (undeclared.get(crossing.from) ?? 0) + 1);
  }
  if (undeclared.size === 0) return { allowed: true, records };
  const routes = [...undeclared].map(([from, count]) => `${count} collected in ${from}`).join(', ');
  return {
    allowed: false,
    to: options.to,
    undeclared,
    message: `no international transfer from ${[...undeclared.keys()].join(' or ')} to ${options.to} is declared (subjects: ${routes})`,
  };
}
