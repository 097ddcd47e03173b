/**
 * Reads a declaration from YAML, validates it against the schema and the
 * consistency checks, and reports every problem with its path and line.
 */
import { readFile } from 'node:fs/promises';
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document } from 'yaml';
import type { core } from 'zod';
import { formatProblem, VowError, type Problem } from '../errors.js';
import { checkDeclaration, type Finding, type PathSegment } from './check-declaration.js';
import { Declaration } from './declaration.js';

export interface ParsedDeclaration {
  declaration: Declaration;
  warnings: Problem[];
}

export type ParseResult = ({ ok: true } & ParsedDeclaration) | { ok: false; problems: Problem[]; warnings: Problem[] };

/** A declaration nests a handful of levels; anything past this is an attack on the parser's stack. */
const MAX_NESTING = 64;

/**
 * Refuses, before the YAML parser sees it, text nested deeper than any declaration is:
 * flow brackets, block indentation, or `- - - …` runs. The parser recurses per level, so
 * such text could exhaust the stack (or, parsed repeatedly, the regular-expression heap).
 */
function tooDeep(text: string): Problem | undefined {
  let brackets = 0;
  for (let i = 0; i < text.length; i += 1) {
    const char = text[i];
    if (char === '[' || char === '{') brackets += 1;
    else if (char === ']' || char === '}') brackets = Math.max(0, brackets - 1);
    else if (char === '\n') brackets = Math.min(brackets, MAX_NESTING);
    if (brackets > MAX_NESTING) return { path: '', message: `nested more than ${MAX_NESTING} levels deep: a declaration never is` };
  }
  const lines = text.split('\n');
  for (const [index, line] of lines.entries()) {
    const lead = /^[ \t-]*/.exec(line)?.[0] ?? '';
    const dashes = lead.split('-').length - 1;
    if (lead.length > 4 * MAX_NESTING || dashes > MAX_NESTING) return { path: '', message: `nested more than ${MAX_NESTING} levels deep: a declaration never is`, line: index + 1, column: 1 };
  }
  return undefined;
}

/** Parses declaration text; never throws on bad input, it returns the problems. */
export function parseDeclaration(text: string): ParseResult {
  const deep = tooDeep(text);
  if (deep) return { ok: false, problems: [deep], warnings: [] };
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (document.errors.length > 0) {
    const problems = document.errors.map((error) => {
      const { line, col } = lineCounter.linePos(error.pos[0]);
      return { path: '', message: error.message, line, column: col };
    });
    return { ok: false, problems, warnings: [] };
  }

  const locate = locatorOf(document, lineCounter);

  let input: unknown;
  try {
    // An undefined alias, or aliases expanding past yaml's limit (a "billion laughs"), throw here.
    input = document.toJS({ maxAliasCount: 100 });
  } catch (error) {
    return { ok: false, problems: [{ path: '', message: error instanceof Error ? `the YAML cannot be read: ${error.message}` : 'the YAML cannot be read' }], warnings: [] };
  }
  const parsed = Declaration.safeParse(input);
  if (!parsed.success) {
    const problems = parsed.error.issues.flatMap((issue) => problemsOf(issue, locate));
    // Every problem at once: the checks that need a valid declaration run on what is left
    // once the entries at fault are set aside, their findings placed back in the file.
    const rest = withoutFaultyEntries(input, parsed.error.issues);
    if (rest) {
      const { errors } = checkDeclaration(rest.declaration);
      const kept = errors.filter((finding) => !rest.removedIds.some((id) => finding.message.includes(`"${id}"`)));
      problems.push(...kept.map((finding) => locate(rest.originalPath(finding.path), finding.message)));
    }
    return { ok: false, problems, warnings: [] };
  }
  const { errors, warnings } = checkDeclaration(parsed.data);
  const toProblem = (finding: Finding) => locate(finding.path, finding.message);
  if (errors.length > 0) return { ok: false, problems: errors.map(toProblem), warnings: warnings.map(toProblem) };
  return { ok: true, declaration: parsed.data, warnings: warnings.map(toProblem) };
}

/** Reads and validates a declaration file, throwing a `VowError` listing every problem. */
export async function loadDeclaration(file: string): Promise<ParsedDeclaration & { text: string }> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const reason = error instanceof Error && 'code' in error && error.code === 'ENOENT' ? 'no such file' : 'cannot be read';
    throw new VowError('declaration_not_found', `declaration ${file}: ${reason}`);
  }
  const result = parseDeclaration(text);
  if (!result.ok) {
    const listing = result.problems.map((problem) => `  ${formatProblem(problem, file)}`).join('\n');
    const count = result.problems.length;
    throw new VowError('invalid_declaration', `${file} has ${count} problem${count === 1 ? '' : 's'}:\n${listing}`, result.problems);
  }
  return { declaration: result.declaration, warnings: result.warnings, text };
}

type Locate = (path: readonly PathSegment[], message: string) => Problem;

function locatorOf(document: Document, lineCounter: LineCounter): Locate {
  return (path, message) => ({ path: formatPath(path), message, ...positionOf(document, lineCounter, path) });
}

/**
 * Places findings made after loading (by `vow systems check`, say) in the declaration's
 * text, with the path format and lines of the file's own problems.
 */
export function locateInDeclaration(text: string): Locate {
  const lineCounter = new LineCounter();
  return locatorOf(parseDocument(text, { lineCounter, prettyErrors: false }), lineCounter);
}

function problemsOf(issue: core.$ZodIssue, locate: Locate): Problem[] {
  const path = issue.path.filter((segment): segment is PathSegment => typeof segment !== 'symbol');
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => locate([...path, key], `unknown key "${key}"`));
  }
  if (issue.code === 'invalid_union' && issue.errors.length > 0) {
    // Of the alternatives, the one the input got furthest into says what is wrong with it
    // (`with: zero` inside a mask), rather than "none of them matched".
    const furthest = issue.errors.filter((branch) => !branch.every((inner) => inner.path.length === 0 && (inner.code === 'invalid_type' || inner.code === 'invalid_value')));
    if (furthest.length === 1 && furthest[0]) return furthest[0].flatMap((inner) => problemsOf({ ...inner, path: [...path, ...inner.path] }, locate));
  }
  if (issue.code === 'invalid_type' && issue.input === undefined) {
    return [locate(path, `is required (${issue.expected})`)];
  }
  return [locate(path, issue.message)];
}

export function formatPath(path: readonly PathSegment[]): string {
  return path.reduce<string>(
    (text, segment) => (typeof segment === 'number' ? `${text}[${segment}]` : text === '' ? segment : `${text}.${segment}`),
    '',
  );
}

/** The line of the deepest node of `path` that exists in the file (a missing key points at its parent). */
function positionOf(document: Document, lineCounter: LineCounter, path: readonly PathSegment[]): { line?: number; column?: number } {
  let node: unknown = document.contents;
  let offset: number | undefined = rangeStart(node);
  for (const segment of path) {
    if (isMap(node)) {
      const pair = node.items.find((item) => isPair(item) && isScalar(item.key) && item.key.value === segment);
      if (!pair) break;
      offset = rangeStart(pair.key) ?? offset;
      node = pair.value;
    } else if (isSeq(node) && typeof segment === 'number') {
      const item: unknown = node.items[segment];
      if (item === undefined) break;
      offset = rangeStart(item) ?? offset;
      node = item;
    } else {
      break;
    }
  }
  if (offset === undefined) return {};
  const { line, col } = lineCounter.linePos(offset);
  return { line, column: col };
}

function rangeStart(node: unknown): number | undefined {
  if (typeof node !== 'object' || node === null || !('range' in node)) return undefined;
  const range: unknown = node.range;
  return Array.isArray(range) && typeof range[0] === 'number' ? range[0] : undefined;
}

/**
 * The input with each array entry a schema issue lies in taken out, parsed again until it
 * is valid (a few rounds at most), or undefined when a fault lies outside any list entry
 * (a top-level field: nothing sound is left to check). `originalPath` maps a path in what
 * is left back to the file's indices; `removedIds` are the ids of the entries set aside, so
 * that references to them are not reported as a second problem.
 */
function withoutFaultyEntries(
  input: unknown,
  firstIssues: readonly core.$ZodIssue[],
): { declaration: Declaration; originalPath: (path: readonly PathSegment[]) => PathSegment[]; removedIds: string[] } | undefined {
  const copy = structuredClone(input) as Record<string, unknown>;
  /** For each array (by its path in the file), the original indices taken out. */
  const removed = new Map<string, number[]>();
  const removedIds: string[] = [];
  let issues = firstIssues;
  for (let round = 0; round < 10; round += 1) {
    const targets = new Map<string, { array: unknown[]; index: number; key: string }>();
    for (const issue of issues) {
      const path = issue.path.filter((segment): segment is PathSegment => typeof segment !== 'symbol');
      // The shallowest list entry on the path: taking it out removes the fault with it.
      let node: unknown = copy;
      let found: { array: unknown[]; index: number; key: string } | undefined;
      const walked: PathSegment[] = [];
      for (const segment of path) {
        if (Array.isArray(node) && typeof segment === 'number') {
          found = { array: node, index: segment, key: originalKey(removed, walked) };
          break;
        }
        if (node === null || typeof node !== 'object') break;
        node = (node as Record<string | number, unknown>)[segment];
        walked.push(segment);
      }
      if (!found) return undefined;
      targets.set(`${found.key}#${found.index}`, found);
    }
    // Highest index first, so that the others still point where they did.
    for (const target of [...targets.values()].sort((a, b) => b.index - a.index)) {
      const entry = target.array[target.index];
      if (entry !== null && typeof entry === 'object' && typeof (entry as { id?: unknown }).id === 'string') removedIds.push((entry as { id: string }).id);
      const originals = removed.get(target.key) ?? [];
      originals.push(toOriginal(originals, target.index));
      removed.set(target.key, originals);
      target.array.splice(target.index, 1);
    }
    const again = Declaration.safeParse(copy);
    if (again.success) {
      const originalPath = (path: readonly PathSegment[]): PathSegment[] => {
        const mapped: PathSegment[] = [];
        for (const segment of path) {
          if (typeof segment === 'number') mapped.push(toOriginal(removed.get(formatPath(mapped)) ?? [], segment));
          else mapped.push(segment);
        }
        return mapped;
      };
      return { declaration: again.data, originalPath, removedIds };
    }
    issues = again.error.issues;
  }
  return undefined;
}

/** An index in what is left of an array, as an index of the array in the file. */
function toOriginal(removedIndices: readonly number[], index: number): number {
  let original = index;
  for (const taken of [...removedIndices].sort((a, b) => a - b)) if (taken <= original) original += 1;
  return original;
}

/** The file's path of an array reached through `walked` (indices in what is left). */
function originalKey(removed: ReadonlyMap<string, number[]>, walked: readonly PathSegment[]): string {
  const mapped: PathSegment[] = [];
  for (const segment of walked) mapped.push(typeof segment === 'number' ? toOriginal(removed.get(formatPath(mapped)) ?? [], segment) : segment);
  return formatPath(mapped);
}
