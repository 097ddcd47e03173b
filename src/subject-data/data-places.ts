/**
 * Where a subject's data lives, in one registry: Vow's own tables, each system the
 * company declared (its databases, services and paper places), and each recipient the
 * declaration has receiving it. Every place says how a request's access, erasure and
 * correction reach it, and request completion asks this registry, and nothing else,
 * what to do where:
 *
 * - `in-transaction`: Vow's own tables, changed or read in the request's own transaction
 *   (`erasure/subject-tables.ts` lists them, table by table);
 * - `by-vow`: a task Vow runs, claimed, retried and resumed (a database, a declared API call);
 * - `by-staff`: a task a person does and confirms with a reason (a service without the
 *   call, a manual place, a recipient without a webhook);
 * - `by-webhook`: a signed notice to a recipient's endpoint;
 * - `not-reached`: the right does not reach it (a recipient is told of changes, not
 *   asked for a copy; a correction of fields the place does not hold).
 *
 * Recipients are reached only for the subjects whose data they received: the accounting
 * of disclosures decides that when the change is made (`webhooks/notify-recipients.ts`).
 */
import type { Declaration, Recipient } from '../policy/declaration.js';
import { isSqlSystem, type DeclaredSystem } from '../policy/declared-system.js';
import { declaredCall } from '../systems/call-service.js';
import type { SystemTaskAction } from '../systems/system-task.js';

export type Reach = 'in-transaction' | 'by-vow' | 'by-staff' | 'by-webhook' | 'not-reached';

export type DataPlace =
  | { kind: 'vow'; id: 'vow'; description: string }
  | { kind: 'system'; id: string; description: string; system: DeclaredSystem }
  | { kind: 'recipient'; id: `recipient:${string}`; description: string; recipient: Recipient };

/** Every place the declaration knows of, Vow's own first. */
export function dataPlaces(declaration: Declaration): DataPlace[] {
  return [
    { kind: 'vow', id: 'vow', description: 'Vow itself: the records, events, consents and requests it keeps' },
    ...(declaration.systems ?? []).map((system): DataPlace => ({ kind: 'system', id: system.id, description: system.description ?? system.id, system })),
    ...declaration.recipients.map((recipient): DataPlace => ({ kind: 'recipient', id: `recipient:${recipient.id}`, description: recipient.name, recipient })),
  ];
}

/** The `category.field` names a place holds; undefined for Vow itself, which holds every declared field. */
export function fieldsHeld(place: DataPlace): Set<string> | undefined {
  switch (place.kind) {
    case 'vow':
      return undefined;
    case 'system': {
      const system = place.system;
      const fields = isSqlSystem(system) ? system.tables.flatMap((table) => table.fields) : system.fields;
      return new Set(fields.map((field) => `${field.category}.${field.field}`));
    }
    case 'recipient': {
      // A recipient receives whole categories: it holds every field of each.
      return new Set(place.recipient.receives.flatMap((receipt) => receipt.categories.map((category) => `${category}.*`)));
    }
  }
}

/**
 * How `action` reaches `place`. `corrected`: a correction's new values by `category.field`,
 * reaching only the places that hold one of them (absent, every place holding a field,
 * as a listing of places shows it). `hasWebhook`: whether a recipient
 * registered an endpoint (unknown from the file alone; staff's otherwise).
 */
export function reachOf(place: DataPlace, action: SystemTaskAction, options: { corrected?: Readonly<Record<string, string>>; hasWebhook?: boolean } = {}): Reach {
  if (place.kind === 'vow') return 'in-transaction';
  if (action === 'correction' && options.corrected !== undefined && !holdsAny(place, Object.keys(options.corrected))) return 'not-reached';
  if (action === 'correction' && fieldsHeld(place)?.size === 0) return 'not-reached';
  if (place.kind === 'recipient') return action === 'access' ? 'not-reached' : options.hasWebhook === true ? 'by-webhook' : 'by-staff';
  const system = place.system;
  if (isSqlSystem(system)) return 'by-vow';
  if (system.engine === 'http' && declaredCall(system, action) !== undefined) return 'by-vow';
  return 'by-staff';
}

function holdsAny(place: DataPlace, names: readonly string[]): boolean {
  const held = fieldsHeld(place);
  if (!held) return true;
  return names.some((name) => held.has(name) || held.has(`${name.slice(0, name.indexOf('.'))}.*`));
}

/** The declared systems a request's action reaches, each a task of the request (the recipients are queued by the change itself). */
export function systemsReached(declaration: Declaration, action: SystemTaskAction, corrected: Readonly<Record<string, string>> = {}): { system: DeclaredSystem; reach: 'by-vow' | 'by-staff' }[] {
  return dataPlaces(declaration).flatMap((place) => {
    if (place.kind !== 'system') return [];
    const reach = reachOf(place, action, { corrected });
    return reach === 'by-vow' || reach === 'by-staff' ? [{ system: place.system, reach }] : [];
  });
}
