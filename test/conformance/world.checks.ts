/** §8 International users, §9 Your choices: transfers recorded as declared, or none; the features each kind of information serves. */
import { expect } from 'vitest';
import { expectStatus, plausibleFields, type Checks, type Conformance } from './check.js';

type WorldPromise = 'transfers-recorded' | 'no-transfers' | 'feature-choices';

/** An account opened from a country the declaration's transfers do not start in, unless one starts anywhere. */
async function accountFrom(c: Conformance, region: string): Promise<string> {
  const payload = { ...plausibleFields(c.declaration, 'account', `from.${region.toLowerCase()}@example.com`), region };
  return expectStatus(await c.server.inject({ method: 'POST', url: '/v1/accounts', payload }), 201).json<{ id: string }>().id;
}

const transfersOf = async (c: Conformance, subjectId: string) =>
  expectStatus(await c.server.inject({ method: 'GET', url: `/v1/subjects/${subjectId}/transfers`, headers: await c.staff('auditor') }), 200).json<{
    transfers: { from: string; to: string; safeguard: string }[];
  }>().transfers;

export const worldChecks: Checks<WorldPromise> = {
  async 'transfers-recorded'(c) {
    const declared = c.declaration.transfers.find((transfer) => transfer.from === '*') ?? c.declaration.transfers[0];
    if (!declared) throw new Error('no transfer is declared');
    const region = declared.from === '*' ? (declared.to === 'FR' ? 'DE' : 'FR') : declared.from;
    const subjectId = await accountFrom(c, region);
    expect(await transfersOf(c, subjectId)).toEqual(expect.arrayContaining([expect.objectContaining({ to: declared.to, safeguard: declared.safeguard })]));
  },

  async 'no-transfers'(c) {
    expect(c.declaration.transfers).toEqual([]);
    const subjectId = await accountFrom(c, 'FR');
    expect(await transfersOf(c, subjectId)).toEqual([]);
  },

  async 'feature-choices'(c) {
    const account = c.declaration.categories.find((category) => category.kind === 'account');
    if (!account) throw new Error('no account category');
    const subjectId = await accountFrom(c, 'FR');
    const choices = expectStatus(await c.server.inject({ method: 'GET', url: `/v1/subjects/${subjectId}/choices`, headers: await c.staff('support') }), 200).json<{
      available: { feature: string }[];
      unavailable: { feature: string; missing: string[] }[];
    }>();
    // A feature needing only account information is open to an account holder; one needing more is closed, naming what it lacks.
    const needsMore = (requires: readonly string[]) => requires.some((id) => id !== account.id);
    expect(choices.available.map((entry) => entry.feature).sort()).toEqual(c.declaration.choices.filter((choice) => !needsMore(choice.requires)).map((choice) => choice.feature).sort());
    expect(choices.unavailable).toEqual(
      c.declaration.choices
        .filter((choice) => needsMore(choice.requires))
        .map((choice) => expect.objectContaining({ feature: choice.feature, missing: choice.requires.filter((id) => id !== account.id) }) as unknown),
    );
  },
};
