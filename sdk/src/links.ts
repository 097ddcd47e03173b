/**
 * Links to other websites: each gets rel="noopener noreferrer", and where the declaration
 * asks for it (`links.notice`) the visitor is told, before leaving, that the other site's
 * own privacy policy applies there.
 */
import { h, openLayer, uid } from './dom.js';

/** A link to another website (http or https, another host). */
export function isOutbound(link: HTMLAnchorElement): boolean {
  return /^https?:$/.test(link.protocol) && link.host !== location.host;
}

function protect(link: HTMLAnchorElement): void {
  for (const token of ['noopener', 'noreferrer']) if (!link.relList.contains(token)) link.relList.add(token);
}

export interface LinkTexts {
  leavingNotice: string;
  continue: string;
  close: string;
}

/** Protects the outbound links there are, and those clicked later (added after this ran). */
export function guardLinks(options: { notice: boolean; texts: LinkTexts }): void {
  for (const link of Array.from(document.querySelectorAll('a[href]'))) if (link instanceof HTMLAnchorElement && isOutbound(link)) protect(link);
  let leaving: HTMLAnchorElement | undefined;

  document.addEventListener(
    'click',
    (event) => {
      const link = event.target instanceof Element ? event.target.closest('a[href]') : null;
      if (!(link instanceof HTMLAnchorElement) || !isOutbound(link)) return;
      protect(link);
      if (!options.notice || link === leaving) {
        leaving = undefined;
        return;
      }
      event.preventDefault();
      const title = uid('leave');
      const layer = openLayer({
        labelledBy: title,
        modal: true,
        role: 'alertdialog',
        onEscape: () => {
          layer.close();
        },
        content: [
          h('p', { id: title }, options.texts.leavingNotice),
          h('p', {}, h('strong', {}, link.host)),
          h(
            'div',
            { class: 'vow-actions' },
            h('button', { type: 'button', class: 'vow-btn', 'data-vow-action': 'continue', onclick: () => {
              layer.close();
              leaving = link;
              link.click();
            } }, options.texts.continue),
            h('button', { type: 'button', class: 'vow-btn', 'data-vow-action': 'close', onclick: () => {
              layer.close();
            } }, options.texts.close),
          ),
        ],
      });
    },
    true,
  );
}
