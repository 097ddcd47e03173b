/**
 * What changed between two declarations, in the terms a privacy engineer reads:
 * `categories[usage].retention.period: P1Y → P2Y`, not a line diff of YAML.
 */
import diff from 'microdiff';
import type { Declaration } from './declaration.js';

export interface PolicyChange {
  kind: 'added' | 'removed' | 'changed';
  /** e.g. `categories[usage].purposes`, `recipients[hosting]`. */
  path: string;
  before?: unknown;
  after?: unknown;
}

/** Keys that identify items of a list, so that items are matched by identity rather than position. */
const identityKeys = ['id', 'feature', 'platform', 'name', 'url'] as const;

export function diffDeclarations(before: Declaration, after: Declaration): PolicyChange[] {
  const a = keyed(before);
  const b = keyed(after);
  if (!isRecord(a) || !isRecord(b)) return [];
  return diff(a, b).map((change) => {
    const path = change.path.map(String).join('.').replace(/\.\[/g, '[');
    switch (change.type) {
      case 'CREATE':
        return { kind: 'added', path, after: unkeyed(change.value) };
      case 'REMOVE':
        return { kind: 'removed', path, before: unkeyed(change.oldValue) };
      case 'CHANGE':
        return { kind: 'changed', path, before: unkeyed(change.oldValue), after: unkeyed(change.value) };
    }
  });
}

export function formatChanges(changes: readonly PolicyChange[]): string {
  if (changes.length === 0) return 'no changes';
  const show = (value: unknown) => (value === true ? '' : ` ${JSON.stringify(value)}`);
  return changes
    .map((change) => {
      switch (change.kind) {
        case 'added':
          return `+ ${change.path}${show(change.after)}`;
        case 'removed':
          return `- ${change.path}${show(change.before)}`;
        case 'changed':
          return `~ ${change.path}: ${JSON.stringify(change.before)} → ${JSON.stringify(change.after)}`;
      }
    })
    .join('\n');
}

/**
 * Lists of identified objects become maps keyed `[id]`; lists of plain values become
 * sets (`[value]: true`), so adding a purpose reads as one addition, not a shifted list.
 */
function keyed(value: unknown): unknown {
  if (Array.isArray(value)) {
    const entries = value.map((item, index) => [`[${identityOf(item) ?? index}]`, keyed(item)] as const);
    if (value.every((item) => typeof item !== 'object' || item === null)) {
      return Object.fromEntries(value.map((item) => [`[${String(item)}]`, true]));
    }
    return Object.fromEntries(entries);
  }
  if (isRecord(value)) return Object.fromEntries(Object.entries(value).map(([key, entry]) => [key, keyed(entry)]));
  return value;
}

function identityOf(item: unknown): string | undefined {
  if (!isRecord(item)) return undefined;
  for (const key of identityKeys) {
    const id = item[key];
    if (typeof id === 'string') return id;
  }
  return undefined;
}

/** Turns a keyed subtree back into the declaration's own shape for display. */
function unkeyed(value: unknown): unknown {
  if (!isRecord(value)) return value;
  const keys = Object.keys(value);
  if (keys.length > 0 && keys.every((key) => key.startsWith('['))) {
    const items = Object.entries(value);
    return items.every(([, item]) => item === true) ? keys.map((key) => key.slice(1, -1)) : items.map(([, item]) => unkeyed(item));
  }
  return Object.fromEntries(Object.entries(value).map(([key, entry]) => [key, unkeyed(entry)]));
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
