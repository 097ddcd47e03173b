import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const fixture = (name: string): string => fileURLToPath(new URL(`../fixtures/declarations/${name}`, import.meta.url));
export const examplePolicy = fileURLToPath(new URL('../../examples/airobotics/vow.policy.yaml', import.meta.url));

/**
 * The example declaration with the test shop's database declared at its end (the shop of
 * `external-databases.ts`): AIRobotics' own policy names no such database, and a running
 * example must not wait on one that is not there.
 */
export const shopPolicy = join(mkdtempSync(join(tmpdir(), 'vow-shop-policy-')), 'vow.policy.yaml');
writeFileSync(shopPolicy, readFileSync(examplePolicy, 'utf8') + readFileSync(fixture('shop-systems.yaml'), 'utf8'));

/** The ten section titles of the reference policy (../shared/reference/privacy-policy.md), in order. */
export const referenceSectionTitles = [
  'Personal information we collect',
  'How we use personal information',
  'Sharing and disclosure of personal information',
  'How to contact us; updating your information',
  'Children',
  'Links to other websites',
  'Security',
  'International users',
  'Your choices',
  'Changes to the privacy policy',
];
