/**
 * The values that find a subject in the company's own systems, read from its records in
 * the vault while its key still exists: an erasure destroys the key, and with it every way
 * back to the e-mail, phone or customer number the systems know the person by.
 *
 * Where each value lives in the vault comes from the declaration: a system table whose
 * identity column is also one of its `fields` names the declared field that holds it
 * (`users.phone` → `account.phone`). Without one, e-mail and phone are read from fields of
 * those names; an external id needs the mapping (`vow policy check` asks for it).
 */
import type { Declaration } from '../policy/declaration.js';
import { isSqlSystem, type DeclaredSystem, type IdentityType } from '../policy/declared-system.js';
import { openRecordsAccountFirst } from '../requests/contact-address.js';
import type { VaultContext } from '../vault/vault-context.js';
import type { SubjectIdentity } from './subject-rows.js';

type CapturedType = Exclude<IdentityType, 'subject-id'>;

/** A declared field that holds an identity value: `category.field`. */
interface HeldAt {
  category: string;
  field: string;
}

const placeholder: Readonly<Record<CapturedType, string>> = { email: '{email}', phone: '{phone}', 'external-id': '{external-id}' };
const defaultField: Readonly<Partial<Record<CapturedType, string>>> = { email: 'email', phone: 'phone' };

/** The identity types the systems look subjects up by, other than Vow's own subject id. */
export function identityTypesUsed(systems: readonly DeclaredSystem[]): Set<CapturedType> {
  const used = new Set<CapturedType>();
  for (const system of systems) {
    if (isSqlSystem(system)) {
      for (const table of system.tables) if (table.identity && table.identity.type !== 'subject-id') used.add(table.identity.type);
      continue;
    }
    if (system.engine !== 'http') continue;
    const templates = JSON.stringify([system.access, system.erasure, system.correction]);
    for (const type of Object.keys(placeholder) as CapturedType[]) if (templates.includes(placeholder[type])) used.add(type);
  }
  return used;
}

/**
 * The declared fields each identity type is read from, by the declaration's mappings first
 * and then by the default field names. An external id with no mapping has none.
 */
export function identityFields(declaration: Declaration): Map<CapturedType, HeldAt[]> {
  const found = new Map<CapturedType, HeldAt[]>();
  const add = (type: CapturedType, at: HeldAt) => {
    const list = found.get(type) ?? [];
    if (!list.some((known) => known.category === at.category && known.field === at.field)) list.push(at);
    found.set(type, list);
  };
  for (const system of declaration.systems ?? []) {
    if (!isSqlSystem(system)) continue;
    for (const table of system.tables) {
      const identity = table.identity;
      if (!identity || identity.type === 'subject-id') continue;
      const mapped = table.fields.find((field) => field.column === identity.column);
      if (mapped) add(identity.type, { category: mapped.category, field: mapped.field });
    }
  }
  for (const [type, name] of Object.entries(defaultField) as [CapturedType, string][]) {
    for (const category of declaration.categories) if (category.fields.some((field) => field.name === name)) add(type, { category: category.id, field: name });
  }
  return found;
}

/**
 * The subject's identity in the systems: its Vow id, and each value they look it up by,
 * from the account record first, then the latest other record holding it.
 */
export async function captureIdentity(ctx: VaultContext, subjectId: string, systems: readonly DeclaredSystem[], known: { email?: string } = {}): Promise<SubjectIdentity> {
  const identity: SubjectIdentity = { 'subject-id': subjectId };
  const used = identityTypesUsed(systems);
  used.add('email');
  const where = identityFields(ctx.declaration);
  const categories = [...new Set([...used].flatMap((type) => (where.get(type) ?? []).map((at) => at.category)))];
  const opened = (await openRecordsAccountFirst(ctx, subjectId, categories)) ?? [];
  for (const type of used) {
    for (const at of where.get(type) ?? []) {
      const value = opened.find((record) => record.category === at.category && typeof record.fields[at.field] === 'string' && record.fields[at.field] !== '')?.fields[at.field];
      if (typeof value === 'string') {
        identity[type] = value;
        break;
      }
    }
  }
  // The requester's address, kept on the claim, finds a subject whose records no longer hold one.
  if (identity.email === undefined && known.email !== undefined) identity.email = known.email;
  return identity;
}
