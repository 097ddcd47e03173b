/**
 * Hostile bytes, one rule: every route of the OpenAPI document, every string of its body,
 * query and path filled with a NUL, a lone surrogate, SQL and HTML, as an admin sends
 * them. Nothing answers 500 on either database; a NUL or a lone surrogate is refused with
 * a 400 that names a field and never echoes the value.
 */
import type { FastifyInstance } from 'fastify';
import { expect, it } from 'vitest';
import { createVow } from '../src/app.js';
import { verifyAudit } from '../src/audit/verify-audit.js';
import { issueApiKey } from '../src/auth/api-key.js';
import { describeEachDatabase } from './support/databases.js';

interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema;
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  additionalProperties?: JsonSchema | boolean;
  minItems?: number;
}
interface Operation {
  parameters?: { in: string; name: string; schema?: JsonSchema }[];
  requestBody?: { content?: Record<string, { schema?: JsonSchema }> };
}

const payloads = {
  nul: 'robin\u0000tables',
  surrogate: 'robin\ud800',
  sql: "x'); DROP TABLE subjects; --",
  html: '<script>alert(1)</script><img src=x onerror=alert(1)>',
} as const;
type Payload = keyof typeof payloads;
/** As a URL carries each: a lone surrogate has no UTF-8 form, so it travels as the bytes of one (ED A0 80). */
const inUrl: Record<Payload, string> = { nul: '%00', surrogate: 'robin%ED%A0%80', sql: encodeURIComponent(payloads.sql), html: encodeURIComponent(payloads.html) };

/** A value of the schema's shape with every string replaced by the payload (enums keep a valid choice). */
function fill(schema: JsonSchema | undefined, text: string): unknown {
  if (!schema) return text;
  if (schema.const !== undefined) return schema.const;
  if (schema.enum && schema.enum.length > 0) return schema.enum[0];
  const choice = schema.anyOf?.[0] ?? schema.oneOf?.[0];
  if (choice) return fill(choice, text);
  const type = Array.isArray(schema.type) ? schema.type.find((candidate) => candidate !== 'null') : schema.type;
  switch (type) {
    case 'string':
      return text;
    case 'integer':
    case 'number':
      return 1;
    case 'boolean':
      return true;
    case 'array':
      return [fill(schema.items, text)];
    case 'object': {
      const entries = Object.entries(schema.properties ?? {}).map(([name, property]) => [name, fill(property, text)]);
      if (entries.length === 0 && typeof schema.additionalProperties === 'object') entries.push(['field', fill(schema.additionalProperties, text)]);
      return Object.fromEntries(entries);
    }
    default:
      return text;
  }
}

describeEachDatabase('hostile input on every route', (database) => {
  it('never answers 500, and refuses NUL and lone surrogates by field without echoing them', async () => {
    const vow = await createVow(database().config());
    try {
      const server: FastifyInstance = vow.server;
      const admin = { authorization: `Bearer ${(await issueApiKey(vow.store.db, { role: 'admin', purposes: [], actor: 'test' })).secret}` };
      const openapi = (await server.inject({ method: 'GET', url: '/openapi.json' })).json<{ paths: Record<string, Record<string, Operation>> }>();
      let sent = 0;
      for (const [path, operations] of Object.entries(openapi.paths)) {
        for (const [method, operation] of Object.entries(operations)) {
          if (!['get', 'post', 'put', 'patch', 'delete'].includes(method)) continue;
          for (const kind of Object.keys(payloads) as Payload[]) {
            const text = payloads[kind];
            const url = path.replace(/\{[^}]+\}/g, () => inUrl[kind]);
            const query = (operation.parameters ?? [])
              .filter((parameter) => parameter.in === 'query')
              .map((parameter) => {
                const value = fill(parameter.schema, text);
                return `${encodeURIComponent(parameter.name)}=${value === text ? inUrl[kind] : encodeURIComponent(String(value))}`;
              });
            const bodySchema = operation.requestBody?.content?.['application/json']?.schema;
            const response = await server.inject({
              method: method.toUpperCase() as 'GET',
              url: query.length > 0 ? `${url}?${query.join('&')}` : url,
              headers: admin,
              ...(bodySchema ? { payload: fill(bodySchema, text) as Record<string, unknown> } : {}),
            });
            sent += 1;
            const label = `${method.toUpperCase()} ${path} with ${kind}: ${response.statusCode} ${response.body.slice(0, 300)}`;
            expect(response.statusCode, label).toBeLessThan(500);
            const body = bodySchema ? JSON.stringify(fill(bodySchema, text)) : '';
            // A URL cannot carry a lone surrogate (its bytes decode to U+FFFD): only a body can.
            const inTheUrl = kind !== 'surrogate' && (url !== path || query.some((pair) => pair.endsWith(`=${inUrl[kind]}`)));
            const touchesText = inTheUrl || body.includes(JSON.stringify(text).slice(1, -1));
            // Refused for its bytes, unless refused first for its route (404) or its content type (415: a CSV route).
            if ((kind === 'nul' || kind === 'surrogate') && touchesText && response.statusCode !== 404 && response.statusCode !== 415) {
              expect(response.statusCode, label).toBe(400);
              expect(response.body, label).not.toContain('robin');
              expect(response.body, label).not.toContain('%ED%A0%80');
            }
          }
        }
      }
      expect(sent).toBeGreaterThan(200);
      // The audit chain stays whole whatever was refused or stored: every stored row re-hashes.
      expect(await verifyAudit(vow.store.db)).toMatchObject({ ok: true });
    } finally {
      await vow.close();
    }
  }, 120_000);

  it('audits what it accepts as it was sent, 4-byte characters and bidi marks included, and refuses a lone surrogate or a NUL before anything is audited', async () => {
    const vow = await createVow(database().config());
    try {
      const officer = { authorization: `Bearer ${(await issueApiKey(vow.store.db, { role: 'privacy-officer', purposes: [], actor: 'test' })).secret}` };
      const disclose = (recipient: string, purpose: string) =>
        vow.server.inject({ method: 'POST', url: '/v1/disclosures', headers: officer, payload: { recipient, categories: ['account'], purpose, subjects: { holding: true } } });
      const auditedRows = () => vow.store.db.selectFrom('audit_log').select(['action', 'target', 'data']).where('action', '=', 'disclosure.refused').execute();

      const recipient = 'broker\u202e🤖\u2066𝕏\u2069';
      const purpose = 'ads\u202e𝕏';
      const refused = await disclose(recipient, purpose);
      expect(refused.statusCode, refused.body).toBe(403);
      expect(await auditedRows()).toEqual([{ action: 'disclosure.refused', target: `recipient:${recipient}`, data: expect.stringContaining(`"purpose":"${purpose}"`) as unknown }]);

      for (const unstorable of ['broker\ud800', 'broker\udfff', 'broker\u0000']) {
        expect((await disclose(unstorable, 'ads')).statusCode).toBe(400);
      }
      expect(await auditedRows()).toHaveLength(1);
      expect(await verifyAudit(vow.store.db)).toMatchObject({ ok: true });
    } finally {
      await vow.close();
    }
  });
});
