/**
 * Records of processing activities (GDPR article 30), generated from the declaration and
 * the store's counts: one activity per declared purpose, naming the data and subjects it
 * touches, its legal basis, recipients, transfers, retention and security measures.
 */
import type { Category, Declaration } from '../policy/declaration.js';
import type { RouteCount } from '../transfers/transfer.repository.js';
import { coveringTransfer } from '../transfers/transfer-routes.js';

export interface RopaActivity {
  purpose: string;
  description: string;
  legalBasis: string;
  dataSubjects: string[];
  dataCategories: { id: string; name: string; personal: boolean; retention: string; retentionFrom: string; records: number }[];
  recipients: { id: string; name: string; kind: string; service: string | null; countries: string[] }[];
  /** Declared international transfers the activity's data takes part in, with their safeguards and how many were recorded under each. */
  transfers: { from: string; to: string; safeguard: string; recorded: number }[];
}

export interface Ropa {
  controller: { name: string; contactEmail: string };
  policyVersion: number | null;
  generatedAt: string;
  activities: RopaActivity[];
  /** The transfers recorded, per route actually taken (`FR` → `US`), at collection and in disclosures. */
  transfersRecorded: RouteCount[];
  securityMeasures: string[];
}

/** Who a category's data is about, in the words of article 30(1)(c). */
const dataSubjectsByKind: Record<Category['kind'], string> = {
  account: 'account holders',
  communication: 'people who contact us',
  social: 'people who interact with our social media pages',
  technical: 'visitors and users of the Site and Services',
};

export function buildRopa(
  declaration: Declaration,
  options: { policyVersion: number | null; now: Date; recordCounts: ReadonlyMap<string, number>; transferCounts?: readonly RouteCount[] },
): Ropa {
  const routes = options.transferCounts ?? [];
  // Each route taken is counted under the declared transfer that covered it.
  const recorded = new Map<Declaration['transfers'][number], number>();
  for (const route of routes) {
    const transfer = coveringTransfer(declaration.transfers, route.from, route.to);
    if (transfer && transfer.safeguard === route.safeguard) recorded.set(transfer, (recorded.get(transfer) ?? 0) + route.atCollection + route.inDisclosures);
  }
  const activities = declaration.purposes.map((purpose): RopaActivity => {
    const categories = declaration.categories.filter((category) => category.purposes.includes(purpose.id));
    const recipients = declaration.recipients.filter((recipient) =>
      recipient.receives.some((receipt) => receipt.purposes.includes(purpose.id)),
    );
    return {
      purpose: purpose.id,
      description: purpose.description,
      legalBasis: purpose.legalBasis,
      dataSubjects: [...new Set(categories.filter((category) => category.personal).map((category) => dataSubjectsByKind[category.kind]))],
      dataCategories: categories.map((category) => ({
        id: category.id,
        name: category.name,
        personal: category.personal,
        retention: category.retention.period,
        retentionFrom: category.retention.from,
        records: options.recordCounts.get(category.id) ?? 0,
      })),
      recipients: recipients.map((recipient) => ({
        id: recipient.id,
        name: recipient.name,
        kind: recipient.kind,
        service: recipient.service ?? null,
        countries: recipient.countries,
      })),
      // Declared transfers move the Services' data as a whole (section 8: to the facilities in the United States).
      transfers: categories.length === 0 ? [] : declaration.transfers.map((t) => ({ from: t.from, to: t.to, safeguard: t.safeguard, recorded: recorded.get(t) ?? 0 })),
    };
  });
  return {
    controller: { name: declaration.organization.name, contactEmail: declaration.organization.contactEmail },
    policyVersion: options.policyVersion,
    generatedAt: options.now.toISOString(),
    activities,
    transfersRecorded: [...routes],
    securityMeasures: declaration.security.measures,
  };
}
