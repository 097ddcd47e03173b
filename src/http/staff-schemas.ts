/**
 * What the staff routes answer, as response schemas: the API document carries them, and
 * the console's client is typed from that document, so a field the server stops sending
 * fails the console's type check, not a person at work.
 */
import { z } from 'zod';
import { permissions, roles } from '../auth/role.js';
import { breachRisks } from '../breaches/breach-register.js';
import { jurisdictions } from '../requests/deadlines.js';
import { requestKinds, requestOutcomes, requestStatuses } from '../requests/request.js';
import { systemTaskActions, systemTaskStatuses } from '../systems/system-task.js';

const When = z.string();
const Data = z.record(z.string(), z.unknown());

export const ListedRequestSchema = z.object({
  id: z.string(),
  kind: z.enum(requestKinds),
  status: z.enum(requestStatuses),
  subjectId: z.string().nullable(),
  jurisdiction: z.enum(jurisdictions),
  receivedAt: When,
  dueAt: When,
  extendedAt: When.nullable(),
  verifiedAt: When.nullable(),
  verification: z.string().nullable(),
  filedBy: z.string(),
  closedAt: When.nullable(),
  outcome: z.enum(requestOutcomes).nullable(),
  daysLeft: z.number(),
  nearDue: z.boolean(),
  overdue: z.boolean(),
});

export const SystemTaskSchema = z.object({
  id: z.string(),
  system: z.string(),
  action: z.enum(systemTaskActions),
  status: z.enum(systemTaskStatuses),
  late: z.boolean(),
  attempts: z.number(),
  nextAttemptAt: When.nullable(),
  lastError: z.string().nullable(),
  doneBy: z.string().nullable(),
  reason: z.string().nullable(),
  createdAt: When,
  doneAt: When.nullable(),
});

export const RequestDetailsSchema = ListedRequestSchema.extend({
  email: z.string().optional(),
  details: z.string().optional(),
  corrections: z.record(z.string(), z.string()).optional(),
  events: z.array(z.object({ at: When, type: z.string(), actor: z.string(), data: Data, note: z.string().optional() })),
  tasks: z.array(SystemTaskSchema),
});

export const BreachSchema = z.object({
  id: z.string(),
  status: z.enum(['open', 'closed']),
  risk: z.enum(breachRisks),
  title: z.string(),
  description: z.string(),
  consequences: z.string(),
  measures: z.string(),
  beganAt: When,
  discoveredAt: When,
  categories: z.array(z.string()),
  subjectCount: z.number(),
  authorityNotifiedAt: When.nullable(),
  authorityReference: z.string().nullable(),
  subjectsNotifiedAt: When.nullable(),
  recordedBy: z.string(),
  recordedAt: When,
  closedAt: When.nullable(),
  clocks: z.array(z.object({ id: z.enum(['authority', 'subjects', 'california']), law: z.string(), dueAt: When.nullable(), doneAt: When.nullable(), overdue: z.boolean() })),
});

export const NoticeDraftSchema = z.object({ subject: z.string(), text: z.string() });

export const SessionSchema = z.object({
  accountId: z.string(),
  role: z.enum(roles),
  /** What the role may do, so the console offers only that; the routes decide all the same. */
  permissions: z.array(z.enum(permissions)),
  purposes: z.array(z.string()),
  sessionId: z.string(),
  csrfToken: z.string(),
  secondFactor: z.boolean().describe('whether signing in asks for a TOTP code'),
  sessions: z.array(z.object({ id: z.string(), createdAt: When, lastSeenAt: When, expiresAt: When })),
});

export const OpenedSessionSchema = z.object({
  account: z.object({ id: z.string(), email: z.string(), role: z.enum(roles), purposes: z.array(z.string()), createdAt: When }),
  csrfToken: z.string(),
  sessionId: z.string(),
  expiresAt: When,
});

export const WebhookSchema = z.object({ id: z.string(), recipient: z.string(), url: z.string(), createdAt: When, createdBy: z.string(), revokedAt: When.nullable() });

export const DeliverySchema = z.object({
  id: z.string(),
  webhook: z.string(),
  recipient: z.string(),
  subjectId: z.string(),
  event: z.string(),
  status: z.string(),
  attempts: z.array(z.object({ at: When, statusCode: z.number().nullable(), error: z.string().nullable(), nextAttemptAt: When.nullable() })),
  nextAttemptAt: When.nullable(),
  createdAt: When,
  deliveredAt: When.nullable(),
});

export const RecipientTaskSchema = z.object({
  id: z.string(),
  recipient: z.string(),
  subjectId: z.string(),
  event: z.enum(['erasure', 'correction']),
  disclosures: z.array(z.string()),
  fields: z.array(z.string()).optional(),
  status: z.enum(['open', 'done']),
  requestId: z.string().nullable(),
  createdAt: When,
  doneAt: When.nullable(),
  doneBy: z.string().nullable(),
});

/** The records of processing (GDPR art. 30) as `GET /v1/ropa?format=json` gives them. */
export const RopaSchema = z.object({
  controller: z.object({ name: z.string(), contactEmail: z.string() }),
  policyVersion: z.number().nullable(),
  generatedAt: When,
  activities: z.array(
    z.object({
      purpose: z.string(),
      description: z.string(),
      legalBasis: z.string(),
      dataSubjects: z.array(z.string()),
      dataCategories: z.array(z.object({ id: z.string(), name: z.string(), personal: z.boolean(), retention: z.string(), retentionFrom: z.string(), records: z.number() })),
      recipients: z.array(z.object({ id: z.string(), name: z.string(), kind: z.string(), service: z.string().nullable(), countries: z.array(z.string()) })),
      transfers: z.array(z.object({ from: z.string(), to: z.string(), safeguard: z.string(), recorded: z.number() })),
    }),
  ),
  transfersRecorded: z.array(z.object({ from: z.string(), to: z.string(), safeguard: z.string(), atCollection: z.number(), inDisclosures: z.number(), subjects: z.number() })),
  securityMeasures: z.array(z.string()),
});
