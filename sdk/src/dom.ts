/** A small element builder, and the focus helpers the dialogs share. */

type Child = Node | string | false | null | undefined;
type Props = Record<string, string | boolean | EventListener | undefined>;

/** Builds an element; `on…` props are listeners, `true` is an empty attribute, texts are text nodes (never HTML). */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, props: Props = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const key of Object.keys(props)) {
    const value = props[key];
    if (typeof value === 'function') element.addEventListener(key.slice(2), value);
    else if (value === true) element.setAttribute(key, '');
    else if (typeof value === 'string') element.setAttribute(key, value);
  }
  for (const child of children) if (child) element.append(child);
  return element;
}

let lastId = 0;
/** A document-unique id for ARIA references. */
export const uid = (prefix: string): string => `vow-${prefix}-${++lastId}`;

const FOCUSABLE = 'a[href],button:not([disabled]),input:not([disabled]),select:not([disabled]),textarea:not([disabled]),[tabindex]:not([tabindex="-1"])';

/**
 * What Tab stops at in `container`, in order: shown, enabled, and of a group of radio
 * buttons only the checked one (the first, when none is), as the browser does.
 */
export function tabbables(container: HTMLElement): HTMLElement[] {
  const seenGroups = new Set<string>();
  const items = Array.from(container.querySelectorAll<HTMLElement>(FOCUSABLE)).filter((item) => item.getClientRects().length > 0);
  return items.filter((item) => {
    if (!(item instanceof HTMLInputElement) || item.type !== 'radio' || item.name === '') return true;
    if (seenGroups.has(item.name)) return false;
    const group = items.filter((other): other is HTMLInputElement => other instanceof HTMLInputElement && other.type === 'radio' && other.name === item.name);
    const stop = group.find((radio) => radio.checked) ?? group[0];
    if (stop !== item) return false;
    seenGroups.add(item.name);
    return true;
  });
}

/** Keeps Tab and Shift+Tab inside `container` (a modal dialog). */
export function trapTab(container: HTMLElement, event: KeyboardEvent): void {
  if (event.key !== 'Tab') return;
  const items = tabbables(container);
  const first = items[0];
  const last = items[items.length - 1];
  if (!first || !last) return;
  const active = document.activeElement;
  if (event.shiftKey && (active === first || active === container)) {
    event.preventDefault();
    last.focus();
  } else if (!event.shiftKey && active === last) {
    event.preventDefault();
    first.focus();
  }
}

/** Gives focus back to `element` when it is still in the page; true when it could. */
export function restoreFocus(element: Element | null): boolean {
  if (!(element instanceof HTMLElement) || !element.isConnected || element === document.body) return false;
  element.focus();
  return document.activeElement === element;
}

let status: HTMLElement | undefined;

/** Says `text` to screen readers, through one polite live region that stays in the page. */
export function announce(text: string): void {
  if (!status?.isConnected) document.body.append((status = h('div', { class: 'vow-status', role: 'status' })));
  // Emptied first, so that the same words said twice are said again.
  status.textContent = '';
  const region = status;
  setTimeout(() => {
    region.textContent = text;
  }, 50);
}

/** Makes everything of the page but `keep` inert (out of reach of focus and assistive technology); returns the undoing. */
function inertOutside(keep: HTMLElement): () => void {
  const made = Array.from(document.body.children).filter((child): child is HTMLElement => child instanceof HTMLElement && child !== keep && !child.inert && child.tagName !== 'SCRIPT');
  for (const element of made) element.inert = true;
  return () => {
    for (const element of made) element.inert = false;
  };
}

export interface Layer {
  /** The dialog element. */
  box: HTMLElement;
  close(): void;
}

/**
 * Shows a dialog and moves focus into it; closing gives focus back to where it was.
 * A modal one darkens the page, keeps Tab inside and has `aria-modal`.
 */
export function openLayer(options: {
  labelledBy: string;
  describedBy?: string;
  modal: boolean;
  role?: string;
  lang?: string;
  content: Child[];
  onEscape?: () => void;
  /** Where focus goes on closing when the element it came from is gone (the page's privacy settings link). */
  fallbackFocus?: () => HTMLElement | null;
}): Layer {
  const opener = document.activeElement;
  const box = h('div', {
    class: 'vow-box',
    role: options.role ?? 'dialog',
    'aria-modal': options.modal ? 'true' : 'false',
    'aria-labelledby': options.labelledBy,
    'aria-describedby': options.describedBy,
    tabindex: '-1',
  });
  box.append(...options.content.filter((child): child is Node | string => Boolean(child)));
  const root = h('div', { class: options.modal ? 'vow-root vow-modal' : 'vow-root', lang: options.lang }, box);
  root.addEventListener('keydown', (event) => {
    if (event.key === 'Escape' && options.onEscape) {
      event.preventDefault();
      options.onEscape();
    } else if (options.modal) trapTab(box, event);
  });
  document.body.append(root);
  const undoInert = options.modal ? inertOutside(root) : () => undefined;
  box.focus();
  return {
    box,
    close() {
      const hadFocus = root.contains(document.activeElement) || document.activeElement === document.body;
      undoInert();
      root.remove();
      if (hadFocus && !restoreFocus(opener)) restoreFocus(options.fallbackFocus?.() ?? null);
    },
  };
}
