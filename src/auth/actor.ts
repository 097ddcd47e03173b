/** Who is calling: an authenticated API key, with the role and purposes it was issued for. */
import type { Role } from './role.js';

export interface Actor {
  keyId: string;
  role: Role;
  /** Purpose ids this key may read for; empty means "none" (or "any declared" for admin and privacy-officer). */
  purposes: readonly string[];
}

/** How an API key appears as the actor of an audit record: `key:<id>`. */
export function auditActorOf(actor: Actor): string {
  return `key:${actor.keyId}`;
}
