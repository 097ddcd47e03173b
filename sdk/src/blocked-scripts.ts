/**
 * Scripts and embeds held back until their cookie category is allowed:
 *
 *   <script type="text/plain" data-vow-category="analytics" src="/analytics.js"></script>
 *   <iframe data-vow-category="advertising" data-vow-src="https://ads.example/unit" title="Ad"></iframe>
 */

const PENDING = 'script[type="text/plain"][data-vow-category],[data-vow-category][data-vow-src]';

/** The category an element waits for. */
export const categoryOf = (element: Element): string => element.getAttribute('data-vow-category') ?? '';

/** Elements still waiting, of one category or of all. */
export function pendingElements(category?: string): Element[] {
  const all = Array.from(document.querySelectorAll(PENDING));
  return category === undefined ? all : all.filter((element) => categoryOf(element) === category);
}

/**
 * Lets an element load: a script is replaced by a runnable copy (in document order for
 * external ones), an embed gets its `src` from `data-vow-src`.
 */
export function activate(element: Element): void {
  if (element instanceof HTMLScriptElement) {
    const script = document.createElement('script');
    for (const attribute of Array.from(element.attributes))
      if (attribute.name !== 'type') script.setAttribute(attribute.name, attribute.value);
    const type = element.getAttribute('data-vow-type');
    if (type) script.type = type;
    if (element.src) script.async = false;
    else script.text = element.text;
    element.replaceWith(script);
  } else {
    element.setAttribute('src', element.getAttribute('data-vow-src') ?? '');
    element.removeAttribute('data-vow-src');
  }
}

/** Calls `found` for each held-back element added to the page later. */
export function watchPending(found: (element: Element) => void): void {
  new MutationObserver((records) => {
    for (const record of records)
      for (const node of Array.from(record.addedNodes)) {
        if (!(node instanceof Element)) continue;
        if (node.matches(PENDING)) found(node);
        for (const inner of Array.from(node.querySelectorAll(PENDING))) found(inner);
      }
  }).observe(document.documentElement, { childList: true, subtree: true });
}
