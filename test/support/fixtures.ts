import { fileURLToPath } from 'node:url';

export const fixture = (name: string): string => fileURLToPath(new URL(`../fixtures/declarations/${name}`, import.meta.url));
export const examplePolicy = fileURLToPath(new URL('../../examples/airobotics/vow.policy.yaml', import.meta.url));
