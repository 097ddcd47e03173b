/**
 * The content of a policy version: the validated declaration in canonical JSON, so
 * that reformatting or re-commenting the YAML does not make a new version.
 */
import { canonicalJson, sha256Hex } from '../canonical-json.js';
import type { Declaration } from './declaration.js';

export function policyContent(declaration: Declaration): string {
  return canonicalJson(declaration);
}

export function contentHash(declaration: Declaration): string {
  return sha256Hex(policyContent(declaration));
}
