/**
 * The company's own systems where personal data lives (`systems` in the declaration):
 * databases Vow reaches by SQL, services it calls over HTTP, and places staff attend to
 * by hand. The file names where each connection is found (an environment variable),
 * never the connection itself, so the declaration can be published and versioned.
 */
import { z } from 'zod';

/** Lower-case identifiers, as elsewhere in the declaration. */
const Id = z
  .string()
  .regex(/^[a-z][a-z0-9-]*$/, 'must be lower-case letters, digits and dashes, starting with a letter');

const Text = z.string().trim().min(1, 'must not be empty');

/** A plain SQL identifier: also what keeps later generated statements free of quoting games. */
const Column = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,62}$/, 'must be a column name of letters, digits and underscores');
/** A table, optionally in a schema (`billing.invoices`); without one, the connection's default schema. */
const Table = z
  .string()
  .regex(/^([A-Za-z_][A-Za-z0-9_]{0,62}\.)?[A-Za-z_][A-Za-z0-9_]{0,62}$/, 'must be a table name, optionally schema.table, of letters, digits and underscores');

const environmentVariableName = /^[A-Z_][A-Z0-9_]*$/;

/**
 * The name of an environment variable. A URL or anything with a password in it is refused
 * with its own message: the likeliest mistake is pasting the connection string itself.
 */
export const EnvironmentVariable = z.string().check((ctx) => {
  const value = ctx.value;
  if (/:\/\/|^[a-z][a-z0-9+.-]*:|@/i.test(value)) {
    ctx.issues.push({
      code: 'custom',
      input: value,
      message: 'must name the environment variable that holds the URL (such as SHOP_DATABASE_URL), not the URL: no credential belongs in the declaration',
    });
  } else if (!environmentVariableName.test(value)) {
    ctx.issues.push({ code: 'custom', input: value, message: 'must be an environment variable name such as SHOP_DATABASE_URL (upper-case letters, digits and underscores)' });
  }
});

export const sqlEngines = ['postgres', 'mysql', 'sqlite'] as const;
export const engines = [...sqlEngines, 'http', 'manual'] as const;
export type SqlEngine = (typeof sqlEngines)[number];

/** What identifies the subject in a row: the kind of value Vow looks the subject up by. */
export const identityTypes = ['email', 'phone', 'subject-id', 'external-id'] as const;
export type IdentityType = (typeof identityTypes)[number];

export const Identity = z.strictObject({
  column: Column,
  type: z.enum(identityTypes),
});

/** How a table's rows reach the subject: `column` holds the `key` of a row of `table`. */
export const Reference = z.strictObject({
  column: Column,
  table: Table,
  key: Column,
});

/** A column holding a declared field of a declared category (`account`, `email`). */
export const MappedColumn = z.strictObject({
  column: Column,
  category: Id,
  field: z.string().regex(/^[a-z][a-zA-Z0-9]*$/, 'must be a camelCase field name'),
});

/**
 * What a masked column becomes: `null`, a fixed `{ value }`, or `hash`: a keyed hash
 * (HMAC-SHA-256 under a key Vow derives from its master key), so rows stay joinable and
 * counts stay right while the value is gone.
 */
export const MaskWith = z.union([z.null(), z.literal('hash'), z.strictObject({ value: z.union([z.string(), z.number(), z.boolean()]) })], {
  error: 'must be null, hash, or { value: ... }',
});

export const MaskedColumn = z.strictObject({
  column: Column,
  with: MaskWith,
});

/** `delete` the subject's rows, or keep them with the listed columns masked. */
export const Erase = z.union([
  z.literal('delete', { error: 'must be delete, or { mask: [{ column, with }] }' }),
  z.strictObject({ mask: z.array(MaskedColumn).min(1, 'list at least one column to mask') }),
]);

export const SystemTable = z
  .strictObject({
    name: Table,
    identity: Identity.optional(),
    references: Reference.optional(),
    fields: z.array(MappedColumn).default([]),
    erase: Erase,
  })
  .check((ctx) => {
    const table = ctx.value;
    if ((table.identity === undefined) === (table.references === undefined)) {
      ctx.issues.push({
        code: 'custom',
        input: table,
        path: [table.identity === undefined ? 'name' : 'references'],
        message: 'a table has either an identity ({ column, type }) or references ({ column, table, key }), not both and not neither',
      });
    }
  });

const HttpMethod = z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']);

/** A template with `{email}`, `{phone}`, `{subject-id}` or `{external-id}` placeholders. */
const Template = Text.refine(
  (text) => [...text.matchAll(/\{([^}]*)\}/g)].every(([, name]) => (identityTypes as readonly string[]).includes(name ?? '')),
  `placeholders must be one of ${identityTypes.map((type) => `{${type}}`).join(', ')}`,
);

/** How a call authenticates: the secret is read from an environment variable at run time. */
export const HttpAuth = z.strictObject({
  env: EnvironmentVariable,
  header: z.string().regex(/^[A-Za-z0-9-]+$/, 'must be a header name such as Authorization').default('Authorization'),
  scheme: z.enum(['bearer', 'basic', 'raw']).default('bearer'),
});

/** One call of a service's API. `url` is a path under the system's base URL (its `connection`). */
export const HttpCall = z.strictObject({
  method: HttpMethod,
  url: Template.refine((url) => url.startsWith('/'), 'must be a path under the system URL, starting with /'),
  auth: HttpAuth.optional(),
  /** A JSON body whose strings may hold placeholders. */
  body: z.json().optional(),
  /** Where the subject's records are in the answer, as a dotted path (`data.contacts`); the whole answer when absent. */
  answer: z.string().regex(/^[A-Za-z0-9_]+(\.[A-Za-z0-9_]+)*$/, 'must be a dotted path such as data.contacts').optional(),
});

/** A field a service or a person holds, without a column to name it by. */
export const HeldField = z.strictObject({
  category: Id,
  field: MappedColumn.shape.field,
});

const SqlSystem = z.strictObject({
  id: Id,
  engine: z.enum(sqlEngines),
  description: Text.optional(),
  connection: EnvironmentVariable,
  tables: z.array(SystemTable).min(1, 'a database system lists at least one table'),
});

const HttpSystem = z.strictObject({
  id: Id,
  engine: z.literal('http'),
  description: Text.optional(),
  connection: EnvironmentVariable,
  fields: z.array(HeldField).default([]),
  access: HttpCall.optional(),
  erasure: HttpCall.optional(),
  correction: HttpCall.optional(),
});

/** Staff carry out requests here by hand (a paper archive, a tool without an API). */
const ManualSystem = z.strictObject({
  id: Id,
  engine: z.literal('manual'),
  description: Text,
  fields: z.array(HeldField).default([]),
});

export const DeclaredSystem = z.discriminatedUnion('engine', [SqlSystem, HttpSystem, ManualSystem], {
  error: `engine must be one of ${engines.join(', ')}`,
});

export type DeclaredSystem = z.output<typeof DeclaredSystem>;
export type SqlSystem = z.output<typeof SqlSystem>;
export type SystemTable = z.output<typeof SystemTable>;
export type Reference = z.output<typeof Reference>;
export type Erase = z.output<typeof Erase>;

export function isSqlSystem(system: DeclaredSystem): system is SqlSystem {
  return (sqlEngines as readonly string[]).includes(system.engine);
}
