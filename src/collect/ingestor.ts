/**
 * What event ingestion keeps between requests, created once per server in app.ts: the
 * declaration's technical categories, a bounded cache of visitors (subject id, unwrapped
 * data key, consent), a bounded cache of parsed devices, and the group-commit writer.
 *
 * The trade-off of the visitor cache: a visitor's consent is read at most once per TTL
 * (5 s by default), so a withdrawal recorded by another server, or a subject's erasure,
 * takes effect on ingestion up to that long after it was recorded (a decision recorded
 * by this server drops its visitors from the cache at once, `forgetSubjects`), and a data key stays unwrapped in memory that
 * long after its last use. In exchange a busy visitor costs no query but the insert.
 * Unknown visitors are not cached, so a visitor's first decision counts at once. An
 * event for a subject erased within the TTL is refused by the database's foreign key
 * and counted as `unknown-visitor`. A newer policy version empties the cache
 * (`policyChanged`), and what is derived from the declaration is derived again from the
 * one in force, so a publication is enforced on the next request.
 */
import type { Kysely } from 'kysely';
import { latestConsent } from '../consent/consent-state.js';
import { consentedPurposesOf } from '../consent/purpose-consent.repository.js';
import { optOutCategories, type Signals } from '../consent/signals.js';
import type { Declaration } from '../policy/declaration.js';
import { consentOnlyCategories } from '../policy/legal-basis.js';
import { findVersion } from '../policy/policy-version.repository.js';
import type { Database } from '../store/schema.js';
import { findSubjectByIdentifier } from '../vault/subject-store.js';
import { findSubject } from '../vault/subject.repository.js';
import type { VaultContext } from '../vault/vault-context.js';
import type { TechnicalKind } from './event-data.js';
import { eventVocabulary } from './event-fields.js';
import { createEventWriter, type EventWriter, type EventWriterOptions } from './event-writer.js';
import { LruCache } from '../lru-cache.js';
import type { EventCounter } from './metrics.js';
import { parseDevice, type ClientHints, type Device } from './parse-device.js';
import { RandomPool } from './random-pool.js';

/** A cookie category the visitor's latest decision allows (or a strictly necessary one), with the data categories it may collect. */
export interface Allowance {
  cookieCategory: string;
  collects: ReadonlySet<string>;
}

export interface Visitor {
  subjectId: string;
  dataKey: Buffer;
  allowances: readonly Allowance[];
  /** The consent-based purposes the person has consented to, read only when some category is collected for nothing else. */
  purposeConsents: ReadonlySet<string>;
  /** Epoch milliseconds of the subject's last recorded activity. */
  lastActivityMs: number;
  /** When this entry was read from the database (epoch milliseconds). */
  loadedMs: number;
}

export interface IngestorOptions {
  /** How long a visitor's consent and key are reused before being read again. Default 5,000 ms. */
  cacheTtlMs?: number;
  /** Visitors kept at most. Default 10,000. */
  visitorCacheSize?: number;
  /** Distinct user agents (with their hints) whose parse is kept. Default 1,000. */
  deviceCacheSize?: number;
  counter?: EventCounter;
  writer?: EventWriterOptions;
}

export interface Ingestor {
  readonly vault: VaultContext;
  readonly writer: EventWriter;
  readonly counter: EventCounter | undefined;
  /** Event ids and IVs. */
  readonly random: RandomPool;
  /** Technical categories of the declaration in force: id → kind. */
  readonly technical: ReadonlyMap<string, TechnicalKind>;
  /** Technical categories of the declaration in force: id → the event names kept in the clear. */
  readonly eventNames: ReadonlyMap<string, ReadonlySet<string>>;
  /** Technical categories collected on legitimate interests: from every known visitor, whatever its cookie choices. */
  readonly withoutConsent: ReadonlySet<string>;
  /** Technical categories that serve only consent-based purposes: id → those purposes, one of which the person must have consented to. */
  readonly consentOnly: ReadonlyMap<string, readonly string[]>;
  /** A newer policy version is in force: visitors' allowances are read again under it. */
  policyChanged(): void;
  /** The visitor, read through the cache; undefined when no subject has this visitor id. */
  visitor(visitorId: string, nowMs: number): Promise<Visitor | undefined>;
  /** Drops a visitor from the cache (after its subject turned out to be gone). */
  forget(visitorId: string): void;
  /** Drops these subjects' visitors from the cache: a decision of theirs counts on this server's next event. */
  forgetSubjects(subjectIds: ReadonlySet<string>): void;
  /** The cookie categories these signals opt out of (`optOutCategories`), computed once per combination. */
  optedOut(signals: Signals): ReadonlySet<string>;
  device(userAgent: string | undefined, hints: ClientHints): Device;
}

interface Derived {
  technical: ReadonlyMap<string, TechnicalKind>;
  eventNames: ReadonlyMap<string, ReadonlySet<string>>;
  withoutConsent: ReadonlySet<string>;
  consentOnly: ReadonlyMap<string, readonly string[]>;
  optOuts: Map<string, ReadonlySet<string>>;
}

function derive(declaration: Declaration): Derived {
  const technical = new Map<string, TechnicalKind>();
  const eventNames = new Map<string, ReadonlySet<string>>();
  const withoutConsent = new Set<string>();
  for (const category of declaration.categories) {
    if (!category.technical) continue;
    technical.set(category.id, category.technical);
    eventNames.set(category.id, eventVocabulary(category, category.technical));
    if (category.collection === 'legitimate-interests') withoutConsent.add(category.id);
  }
  const consentOnly = new Map([...consentOnlyCategories(declaration)].filter(([id]) => technical.has(id)));
  return { technical, eventNames, withoutConsent, consentOnly, optOuts: new Map() };
}

export function createIngestor(vault: VaultContext, options: IngestorOptions = {}): Ingestor {
  const ttl = options.cacheTtlMs ?? 5_000;
  const visitors = new LruCache<string, Visitor>(options.visitorCacheSize ?? 10_000);
  const loading = new Map<string, Promise<Visitor | undefined>>();
  const devices = new LruCache<string, Device>(options.deviceCacheSize ?? 1_000);
  // Derived once per declaration in force: the object changes only when a version is published.
  let derivedFrom = vault.declaration;
  let derived = derive(derivedFrom);
  const inForce = (): Derived => {
    const declaration = vault.declaration;
    if (declaration !== derivedFrom) {
      derivedFrom = declaration;
      derived = derive(declaration);
    }
    return derived;
  };

  // Published versions never change, so what each one's cookie categories collect is kept for good.
  const versionCollects = new LruCache<number, Promise<ReadonlyMap<string, ReadonlySet<string>>>>(64);
  const collectsAt = (db: Kysely<Database>, version: number) => {
    let collects = versionCollects.get(version);
    if (!collects) {
      collects = findVersion(db, version).then(
        (found) => new Map((found?.declaration.cookies ?? []).map((group) => [group.id, new Set(group.collects)])),
        (error: unknown) => {
          versionCollects.delete(version);
          throw error;
        },
      );
      versionCollects.set(version, collects);
    }
    return collects;
  };

  /**
   * Strictly necessary categories collect what the declaration says; a granted one collects
   * what both the declaration in force and the version the visitor agreed to say, so that a
   * category added to a cookie category later is not taken as agreed to.
   */
  const allowancesOf = async (db: Kysely<Database>, subjectId: string): Promise<Allowance[]> => {
    const consent = await latestConsent(db, subjectId);
    const agreed = consent ? await collectsAt(db, consent.policyVersion) : new Map<string, ReadonlySet<string>>();
    const granted = new Set(consent?.granted ?? []);
    return vault.declaration.cookies
      .filter((group) => group.necessary || granted.has(group.id))
      .map((group) => ({
        cookieCategory: group.id,
        collects: new Set(group.necessary ? group.collects : group.collects.filter((category) => agreed.get(group.id)?.has(category))),
      }));
  };

  const load = async (visitorId: string, nowMs: number): Promise<Visitor | undefined> => {
    const db = vault.db;
    const subjectId = await findSubjectByIdentifier(vault, db, { kind: 'visitor', value: visitorId });
    const subject = subjectId === undefined ? undefined : await findSubject(db, subjectId);
    if (!subject) return undefined;
    const { consentOnly } = inForce();
    const purposes = [...new Set([...consentOnly.values()].flat())];
    // Most declarations collect nothing for consent-based purposes alone: no query then.
    const purposeConsents = purposes.length === 0 ? new Set<string>() : ((await consentedPurposesOf(db, [subject.id], purposes)).get(subject.id) ?? new Set<string>());
    return {
      subjectId: subject.id,
      dataKey: vault.keyring.unwrap(subject.key, subject.id),
      allowances: await allowancesOf(db, subject.id),
      purposeConsents,
      lastActivityMs: Date.parse(subject.lastActivityAt),
      loadedMs: nowMs,
    };
  };

  return {
    vault,
    writer: createEventWriter(vault.db, options.writer),
    counter: options.counter,
    random: new RandomPool(),
    get technical() {
      return inForce().technical;
    },
    get eventNames() {
      return inForce().eventNames;
    },
    get withoutConsent() {
      return inForce().withoutConsent;
    },
    get consentOnly() {
      return inForce().consentOnly;
    },
    policyChanged() {
      visitors.clear();
    },
    async visitor(visitorId, nowMs) {
      const cached = visitors.get(visitorId);
      if (cached && nowMs - cached.loadedMs < ttl && nowMs >= cached.loadedMs) return cached;
      // Concurrent requests of one visitor share one read.
      let pending = loading.get(visitorId);
      if (!pending) {
        pending = load(visitorId, nowMs).finally(() => loading.delete(visitorId));
        loading.set(visitorId, pending);
      }
      const visitor = await pending;
      if (visitor) visitors.set(visitorId, visitor);
      else visitors.delete(visitorId);
      return visitor;
    },
    forget(visitorId) {
      visitors.delete(visitorId);
    },
    forgetSubjects(subjectIds) {
      visitors.deleteWhere((visitor) => subjectIds.has(visitor.subjectId));
    },
    optedOut(signals) {
      const key = `${signals.gpc ? 1 : 0}${signals.dnt ? 1 : 0}`;
      const { optOuts } = inForce();
      let set = optOuts.get(key);
      if (!set) {
        set = new Set(optOutCategories(vault.declaration, signals));
        optOuts.set(key, set);
      }
      return set;
    },
    device(userAgent, hints) {
      const key = `${userAgent ?? ''}\n${hints.ua ?? ''}\n${hints.platform ?? ''}\n${hints.mobile ?? ''}\n${hints.model ?? ''}`;
      let device = devices.get(key);
      if (!device) {
        device = parseDevice(userAgent, hints);
        devices.set(key, device);
      }
      return device;
    },
  };
}
