/**
 * The banner, generated from the declaration's cookie categories. First layer: accept
 * all, reject all and choose, side by side and alike. Privacy settings: each category
 * always / no / ask each time (strictly necessary ones always active), and the same
 * accept-all and reject-all buttons, so withdrawing is as easy as giving. And the prompt
 * of an "ask each time" category: once, always, no.
 */
import { h, openLayer, uid, type Layer } from './dom.js';
import type { BannerCategory, BannerData, Choice, Choices } from './types.js';

export interface BannerOptions {
  data: BannerData;
  privacyUrl: string;
  /** Categories an honored opt-out preference signal refuses, whatever is clicked. */
  optedOut: ReadonlySet<string>;
  /** The current choices (for the settings' initial state). */
  choices(): Choices;
  /** Whether a choice under the policy in force exists (the settings may then be closed as they are). */
  decided(): boolean;
  /** Whether a choice exists but a material change of the policy since asks again. */
  askingAgain(): boolean;
  decide(choices: Choices): void;
}

export interface Banner {
  /** The first layer, shown until the visitor chooses. */
  ask(): void;
  /** The privacy settings. */
  settings(): void;
  close(): void;
}

const optional = (data: BannerData) => data.categories.filter((category) => !category.necessary);

function allAs(options: BannerOptions, choice: 'granted' | 'refused'): Choices {
  const choices: Choices = {};
  for (const category of optional(options.data)) choices[category.id] = options.optedOut.has(category.id) ? 'refused' : choice;
  return choices;
}

export function createBanner(options: BannerOptions): Banner {
  const { strings } = options.data;
  let layer: Layer | undefined;

  const button = (text: string, action: string, onclick: () => void) =>
    h('button', { type: 'button', class: 'vow-btn', 'data-vow-action': action, onclick }, text);
  const policyLink = () => h('p', {}, h('a', { href: options.privacyUrl }, strings.privacyPolicy));
  const acceptAll = () => button(strings.acceptAll, 'accept-all', () => {
    options.decide(allAs(options, 'granted'));
  });
  const rejectAll = () => button(strings.rejectAll, 'reject-all', () => {
    options.decide(allAs(options, 'refused'));
  });

  const show = (build: (titleId: string, introId: string) => { modal: boolean; content: (Node | false)[]; onEscape?: () => void }) => {
    layer?.close();
    const titleId = uid('title');
    const introId = uid('intro');
    const { modal, content, onEscape } = build(titleId, introId);
    layer = openLayer({
      labelledBy: titleId,
      describedBy: introId,
      modal,
      lang: options.data.lang,
      fallbackFocus: () => document.querySelector<HTMLElement>('[data-vow-settings],a[href="#privacy-settings"]'),
      content: [h('h2', { id: titleId }, strings.title), h('p', { id: introId }, options.data.consentModel === 'opt-out' ? strings.introOptOut : strings.intro), ...content],
      ...(onEscape ? { onEscape } : {}),
    });
    layer.box.setAttribute('data-vow-layer', modal ? 'settings' : 'first');
  };

  const category = (item: BannerCategory, current: Choices) => {
    const descriptionId = uid('desc');
    const fixed = item.necessary || options.optedOut.has(item.id);
    const radios = h('div', { class: 'vow-opts' });
    const values: [Choice, string][] = [
      ['granted', strings.always],
      ['refused', strings.no],
      ['ask', strings.askEachTime],
    ];
    if (!item.necessary)
      for (const [value, text] of values)
        radios.append(
          h(
            'label',
            {},
            h('input', {
              type: 'radio',
              name: `vow-${item.id}`,
              value,
              checked: (current[item.id] ?? 'refused') === value,
              disabled: fixed,
            }),
            text,
          ),
        );
    return h(
      'fieldset',
      { class: 'vow-cat', 'data-vow-choice': item.id, 'aria-describedby': descriptionId },
      h('legend', {}, item.name),
      h('p', { id: descriptionId }, item.description),
      item.necessary ? h('p', { class: 'vow-fixed' }, strings.alwaysActive) : radios,
      item.cookieDetails.length > 0 && cookieTable(item),
      item.recipients.length > 0 && h('p', { class: 'vow-recipients' }, `${strings.sharedWith}: ${item.recipients.join(', ')}`),
    );
  };

  /** The category's cookies: name, provider, purpose, duration. */
  const cookieTable = (item: BannerCategory) =>
    h(
      'table',
      {},
      h('caption', { class: 'vow-status' }, `${item.name}: ${strings.cookie}`),
      h('thead', {}, h('tr', {}, ...[strings.cookie, strings.provider, strings.cookiePurpose, strings.duration].map((head) => h('th', { scope: 'col' }, head)))),
      h('tbody', {}, ...item.cookieDetails.map((cookie) => h('tr', {}, h('td', {}, cookie.name), h('td', {}, cookie.provider), h('td', {}, cookie.purpose), h('td', {}, cookie.duration)))),
    );

  const banner: Banner = {
    ask() {
      const asked = optional(options.data).map((item) => item.name);
      show(() => ({
        modal: false,
        content: [
          options.askingAgain() && h('p', { class: 'vow-note' }, strings.askAgain),
          options.optedOut.size > 0 && h('p', { class: 'vow-note', role: 'status' }, strings.signalHonored),
          // Where notice is enough, nothing is asked: the words say what is on, and how to turn it off.
          asked.length > 0 && options.data.consentModel === 'opt-in' && h('p', {}, strings.categoriesAsked.replace('{categories}', asked.join(', '))),
          h('div', { class: 'vow-actions' }, acceptAll(), rejectAll(), button(strings.choose, 'choose', () => {
            banner.settings();
          })),
          policyLink(),
        ],
      }));
    },
    settings() {
      const current = options.choices();
      show(() => {
        const form = h('div', {}, ...options.data.categories.map((item) => category(item, current)));
        const save = () => {
          const choices: Choices = {};
          for (const item of optional(options.data)) {
            const checked = form.querySelector<HTMLInputElement>(`input[name="vow-${CSS.escape(item.id)}"]:checked`);
            choices[item.id] = options.optedOut.has(item.id) ? 'refused' : ((checked?.value as Choice | undefined) ?? 'refused');
          }
          options.decide(choices);
        };
        const decided = options.decided();
        return {
          modal: true,
          content: [
            options.optedOut.size > 0 && h('p', { class: 'vow-note', role: 'status' }, strings.signalHonored),
            form,
            h(
              'div',
              { class: 'vow-actions' },
              acceptAll(),
              rejectAll(),
              button(strings.save, 'save', save),
              decided && button(strings.close, 'close', () => {
                banner.close();
              }),
            ),
            policyLink(),
          ],
          onEscape: () => {
            if (decided) banner.close();
            else banner.ask();
          },
        };
      });
    },
    close() {
      layer?.close();
      layer = undefined;
    },
  };
  return banner;
}

/**
 * Asks whether an element of an "ask each time" category may load: once (this time),
 * always (the category is granted from now on), or no (not this time).
 * In place of an embed; in a corner for a script.
 */
export function askFor(element: Element, category: BannerCategory, data: BannerData, answer: (choice: 'once' | 'always' | 'no') => void): HTMLElement {
  const titleId = uid('ask');
  const descriptionId = uid('askd');
  const label = element.getAttribute('title') ?? element.getAttribute('data-vow-label');
  const reply = (choice: 'once' | 'always' | 'no', text: string) =>
    h('button', { type: 'button', class: 'vow-btn', 'data-vow-action': choice, onclick: () => {
      const hadFocus = prompt.contains(document.activeElement);
      prompt.remove();
      if (hadFocus && element instanceof HTMLElement && choice !== 'no') element.focus();
      answer(choice);
    } }, text);
  const prompt = h(
    'div',
    { class: 'vow-ask', role: 'dialog', 'aria-labelledby': titleId, 'aria-describedby': descriptionId, 'data-vow-ask': category.id, tabindex: '-1' },
    h('h2', { id: titleId }, label ? `${category.name}: ${label}` : category.name),
    h('p', { id: descriptionId }, category.description),
    h('div', { class: 'vow-actions' }, reply('once', data.strings.once), reply('always', data.strings.always), reply('no', data.strings.no)),
  );
  if (element instanceof HTMLScriptElement || !document.body.contains(element)) {
    let corner = document.querySelector('.vow-asks');
    if (!corner) document.body.append((corner = h('div', { class: 'vow-asks' })));
    corner.append(prompt);
  } else element.before(prompt);
  return prompt;
}

/**
 * In place of an embed whose category the visitor has not allowed: what is missing and
 * why, and a button that allows the category (recorded like any choice).
 */
export function blockedEmbed(element: Element, category: BannerCategory, data: BannerData, allow: () => void): HTMLElement {
  const label = element.getAttribute('title') ?? element.getAttribute('data-vow-label');
  const placeholder = h(
    'div',
    { class: 'vow-ask vow-blocked', 'data-vow-blocked': category.id },
    h('p', {}, `${label ? `${label}: ` : ''}${data.strings.blockedEmbed.replace('{category}', category.name)}`),
    h('div', { class: 'vow-actions' }, h('button', { type: 'button', class: 'vow-btn', 'data-vow-action': 'allow', onclick: allow }, data.strings.allowCategory.replace('{category}', category.name))),
  );
  element.before(placeholder);
  return placeholder;
}
