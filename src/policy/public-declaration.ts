/**
 * The declaration as the public API shows it: everything the page is made of, without
 * `systems`. The page never prints them, and a map of the company's own tables and columns
 * helps an attacker more than it informs a reader.
 */
import type { Declaration } from './declaration.js';

export function publicDeclaration(declaration: Declaration): Omit<Declaration, 'systems'> {
  const { systems, ...published } = declaration;
  return systems === undefined ? declaration : published;
}
