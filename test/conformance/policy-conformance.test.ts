/**
 * The page is a test plan. Each example declaration is served as a running Vow, on each
 * database; its page, fetched over HTTP, states promises (the blocks' `data-promises`),
 * and each stated promise is then checked through the HTTP API by the check of its kind.
 * A promise the page states without a check fails, and so does a kind of promise that no
 * example states (its check would never run).
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createVow } from '../../src/app.js';
import { buildPolicyDocument } from '../../src/policy/build-policy-document.js';
import type { Declaration } from '../../src/policy/declaration.js';
import { loadDeclaration } from '../../src/policy/load-declaration.js';
import { promiseKinds, promisesOnPage, type PromiseKind } from '../../src/policy/promises.js';
import { describeEachDatabase } from '../support/databases.js';
import { changesChecks } from './changes.checks.js';
import { staffKey, type Check, type Conformance } from './check.js';
import { collectionChecks } from './collection.checks.js';
import { rightsChecks } from './rights.checks.js';
import { sharingChecks } from './sharing.checks.js';
import { useChecks } from './use.checks.js';
import { worldChecks } from './world.checks.js';

/** One check per kind: a kind without one does not compile. */
const checks: Record<PromiseKind, Check> = { ...collectionChecks, ...useChecks, ...sharingChecks, ...rightsChecks, ...worldChecks, ...changesChecks };

const example = (name: string) => fileURLToPath(new URL(`../../examples/${name}/vow.policy.yaml`, import.meta.url));
const examples = ['airobotics', 'consent-first', 'self-hosted'].map((name) => ({ name, file: example(name) }));

/** The kinds the renderer states for a declaration, as its document model tags them. */
function statedKinds(declaration: Declaration): PromiseKind[] {
  const document = buildPolicyDocument(declaration, { version: 1, lastUpdated: null });
  return [...new Set(document.sections.flatMap((section) => section.blocks.flatMap((block) => block.promises ?? [])))].sort();
}

const stated = new Map(await Promise.all(examples.map(async ({ name, file }) => [name, statedKinds((await loadDeclaration(file)).declaration)] as const)));

describe('the conformance suite', () => {
  it('runs every kind of check: each kind of promise is stated by at least one example', () => {
    const covered = new Set([...stated.values()].flat());
    expect(promiseKinds.filter((kind) => !covered.has(kind))).toEqual([]);
  });
});

for (const { name, file } of examples) {
  describeEachDatabase(`the page of ${name} is kept`, (database) => {
    const withConformance = async (test: (conformance: Conformance, page: string) => Promise<void>) => {
      const vow = await createVow(database().config({ VOW_POLICY: file }));
      try {
        const page = await vow.server.inject({ method: 'GET', url: '/privacy' });
        expect(page.statusCode).toBe(200);
        await test(
          { server: vow.server, vow, declaration: vow.vault.declaration, dialect: database().dialect, staff: (role, purposes) => staffKey(vow, role, purposes) },
          page.body,
        );
      } finally {
        await vow.close();
      }
    };

    it('states no promise that has no check', () =>
      withConformance(async (_conformance, page) => {
        const onPage = promisesOnPage(page);
        expect([...onPage].filter((kind) => !(kind in checks))).toEqual([]);
        expect([...onPage].sort()).toEqual(stated.get(name));
      }));

    for (const kind of stated.get(name) ?? []) {
      it(`keeps its promise: ${kind}`, () =>
        withConformance(async (conformance, page) => {
          expect(promisesOnPage(page).has(kind)).toBe(true);
          await checks[kind](conformance);
        }));
    }
  });
}
