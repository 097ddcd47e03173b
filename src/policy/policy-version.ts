import { Declaration } from './declaration.js';

/** A published version of the policy: immutable once recorded. */
export interface PolicyVersion {
  number: number;
  hash: string;
  publishedAt: string;
  material: boolean;
}

export interface PolicyVersionWithContent extends PolicyVersion {
  declaration: Declaration;
}

/** Stored content was validated when published; parsing again keeps the types honest. */
export function declarationFromContent(content: string): Declaration {
  return Declaration.parse(JSON.parse(content));
}
