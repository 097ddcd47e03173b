/**
 * Keyset paging as the API does it: each page's answer carries the cursor of the next
 * (`next`); the console keeps the cursors of the pages before, so "back" walks them.
 */
import { useState } from 'react';

export function useCursorPages<Cursor>() {
  const [cursors, setCursors] = useState<Cursor[]>([]);
  return {
    /** The cursor of the page shown, or undefined on the first. */
    current: cursors.at(-1),
    first: cursors.length === 0,
    forward: (next: Cursor) => {
      setCursors([...cursors, next]);
    },
    back: () => {
      setCursors(cursors.slice(0, -1));
    },
    reset: () => {
      setCursors([]);
    },
  };
}

/** The two buttons under a paged list; `next` is the answer's cursor (null or undefined on the last page). */
export function Pager<Cursor>({ pages, next, labels = ['Previous page', 'Next page'] }: { pages: ReturnType<typeof useCursorPages<Cursor>>; next: Cursor | null | undefined; labels?: readonly [string, string] }) {
  return (
    <div className="pager">
      <button type="button" disabled={pages.first} onClick={pages.back}>
        {labels[0]}
      </button>
      <button
        type="button"
        disabled={next === null || next === undefined}
        onClick={() => {
          if (next !== null && next !== undefined) pages.forward(next);
        }}
      >
        {labels[1]}
      </button>
    </div>
  );
}
