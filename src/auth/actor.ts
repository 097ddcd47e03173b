/** Who is calling: an authenticated API key, with the role and purposes it was issued for. */
import type { Role } from './role.js';

export interface Actor {
  /** The API key's id, or the staff account's (`stf_…`) for a signed-in person. */
  keyId: string;
  role: Role;
  /** Purpose ids this key may read for; empty means "none" (or "any declared" for admin and privacy-officer). */
  purposes: readonly string[];
}

/** How a caller appears as the actor of an audit record: `key:<id>` for an API key, `staff:<id>` for a signed-in person. */
export function auditActorOf(actor: Actor): string {
  return actor.keyId.startsWith('stf_') ? `staff:${actor.keyId}` : `key:${actor.keyId}`;
}
