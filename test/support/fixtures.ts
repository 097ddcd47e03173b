import { fileURLToPath } from 'node:url';

export const fixture = (name: string): string => fileURLToPath(new URL(`../fixtures/declarations/${name}`, import.meta.url));
export const examplePolicy = fileURLToPath(new URL('../../examples/airobotics/vow.policy.yaml', import.meta.url));

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
