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

/** Keeps Tab and Shift+Tab inside `container` (a modal dialog). */
export function trapTab(container: HTMLElement, event: KeyboardEvent): void {
  if (event.key !== 'Tab') return;
  const items = Array.from(container.querySelectorAll<HTMLElement>(FOCUSABLE)).filter((item) => item.getClientRects().length > 0);
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

/** The element focus should go back to, when it is still in the page. */
export function restoreFocus(element: Element | null): void {
  if (element instanceof HTMLElement && element.isConnected && element !== document.body) element.focus();
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
export function openLayer(options: { labelledBy: string; describedBy?: string; modal: boolean; role?: string; content: Child[]; onEscape?: () => void }): Layer {
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
  const root = h('div', { class: options.modal ? 'vow-root vow-modal' : 'vow-root' }, box);
  root.addEventListener('keydown', (event) => {
    if (event.key === 'Escape' && options.onEscape) {
      event.preventDefault();
      options.onEscape();
    } else if (options.modal) trapTab(box, event);
  });
  document.body.append(root);
  box.focus();
  return {
    box,
    close() {
      const hadFocus = root.contains(document.activeElement);
      root.remove();
      if (hadFocus) restoreFocus(opener);
    },
  };
}
