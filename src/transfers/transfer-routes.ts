/**
 * Which declared transfer covers data crossing from one country to another. A transfer
 * declared `from: '*'` covers every origin ("wherever the subject is"); one naming the
 * origin is preferred to it, since its safeguard was chosen for that route.
 */
import type { Declaration, Transfer } from '../policy/declaration.js';

/** One crossing of a subject's data, with the safeguard the declaration names for it. */
export interface TransferRoute {
  from: string;
  to: string;
  safeguard: Transfer['safeguard'];
}

/** The declared transfer covering `from` → `to`, or undefined when none does. */
export function coveringTransfer(transfers: readonly Transfer[], from: string, to: string): Transfer | undefined {
  return transfers.find((transfer) => transfer.to === to && transfer.from === from) ?? transfers.find((transfer) => transfer.to === to && transfer.from === '*');
}

/**
 * The crossings at collection of a subject collected in `region`: the declared transfers
 * say where the organisation processes the data (section 8: `from: '*'`, `to: US` means
 * the Services run in the United States), so a subject anywhere else is transferred there.
 * None when the region is where the data is processed. A subject whose region is unknown
 * is taken to be anywhere: the declaration's default transfers (`from: '*'`) are recorded
 * for it, with `from: '*'`, rather than nothing.
 *
 * @example
 * collectionRoutes(declaration, 'FR'); // [{ from: 'FR', to: 'US', safeguard: 'standard-contractual-clauses' }]
 * collectionRoutes(declaration, 'US'); // []
 */
export function collectionRoutes(declaration: Pick<Declaration, 'transfers'>, region: string | null | undefined): TransferRoute[] {
  if (!region) {
    return declaration.transfers.filter((transfer) => transfer.from === '*').map((transfer) => ({ from: '*', to: transfer.to, safeguard: transfer.safeguard }));
  }
  const destinations = new Set(
    declaration.transfers.filter((transfer) => transfer.from === '*' || transfer.from === region).map((transfer) => transfer.to),
  );
  destinations.delete(region);
  const routes: TransferRoute[] = [];
  for (const to of destinations) {
    const transfer = coveringTransfer(declaration.transfers, region, to);
    if (transfer) routes.push({ from: region, to, safeguard: transfer.safeguard });
  }
  return routes;
}

/**
 * The crossing when data of a subject collected in `region` goes to a recipient in `to`:
 * `none` when it stays in the country, `undeclared` when no declared transfer covers it.
 * An unknown region crosses under the declaration's default (`from: '*'`) when one
 * covers `to`, and is not refused when none does: nothing says it left its country.
 */
export function disclosureRoute(
  declaration: Pick<Declaration, 'transfers'>,
  region: string | null | undefined,
  to: string,
): { kind: 'none' } | { kind: 'route'; route: TransferRoute } | { kind: 'undeclared'; from: string } {
  if (!region) {
    const fallback = declaration.transfers.find((transfer) => transfer.from === '*' && transfer.to === to);
    return fallback ? { kind: 'route', route: { from: '*', to, safeguard: fallback.safeguard } } : { kind: 'none' };
  }
  if (region === to) return { kind: 'none' };
  const transfer = coveringTransfer(declaration.transfers, region, to);
  return transfer ? { kind: 'route', route: { from: region, to, safeguard: transfer.safeguard } } : { kind: 'undeclared', from: region };
}
