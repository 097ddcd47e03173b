/** What a subject's active legal holds keep: everything, or some categories. */
export interface HeldScope {
  all: boolean;
  /** Sorted category ids (empty when `all`). */
  categories: string[];
}

export const NOTHING_HELD: HeldScope = { all: false, categories: [] };

export function heldScope(holds: readonly { categories: readonly string[] | null }[]): HeldScope {
  if (holds.some((hold) => hold.categories === null)) return { all: true, categories: [] };
  const categories = [...new Set(holds.flatMap((hold) => hold.categories ?? []))].sort();
  return { all: false, categories };
}

export function holdsAnything(scope: HeldScope): boolean {
  return scope.all || scope.categories.length > 0;
}

/** As the erasure proof and outcome report it: `["*"]` for everything. */
export function describeScope(scope: HeldScope): string[] {
  return scope.all ? ['*'] : scope.categories;
}
