/**
 * The preference form for purposes based on consent, generated from
 * `GET /v1/consent/purposes`: a checkbox per purpose labelled in the declaration's words,
 * checked as the person decided. One save button grants what is checked and withdraws
 * what is not, so withdrawing is exactly as easy as giving; the outcome is announced
 * politely and focus stays where it was.
 */
import { h } from './dom.js';
import type { PurposeFormData, StringKey } from './types.js';

export interface PurposeFormOptions {
  data: PurposeFormData;
  /** The purposes consented to now. */
  consented: readonly string[];
  strings: Record<StringKey, string>;
  /** Records the decisions; resolves to the purposes consented to afterwards, or undefined when nothing was recorded. */
  save(granted: string[], withdrawn: string[]): Promise<string[] | undefined>;
}

export function createPurposeForm(options: PurposeFormOptions): HTMLFormElement {
  const { data, strings } = options;
  const boxes = data.purposes.map((purpose) => ({ id: purpose.id, input: h('input', { type: 'checkbox', name: 'vow-purpose', value: purpose.id }), text: purpose.description }));
  const show = (consented: readonly string[]) => {
    for (const box of boxes) box.input.checked = consented.includes(box.id);
  };
  show(options.consented);
  const status = h('p', { class: 'vow-status', role: 'status', 'aria-live': 'polite' });
  let saving = false;
  return h(
    'form',
    {
      class: 'vow-purposes',
      'data-vow-form': 'purposes',
      onsubmit: (event) => {
        event.preventDefault();
        // The button is never disabled: a disabled button drops the focus it holds to the page.
        if (saving) return;
        saving = true;
        // Emptied first, so that the same message saved twice is announced twice.
        status.textContent = '';
        void options
          .save(
            boxes.filter((box) => box.input.checked).map((box) => box.id),
            boxes.filter((box) => !box.input.checked).map((box) => box.id),
          )
          .then((consented) => {
            saving = false;
            if (consented) show(consented);
            status.textContent = consented ? strings.saved : strings.notSaved;
          });
      },
    },
    h(
      'fieldset',
      { class: 'vow-cat' },
      h('legend', {}, strings.purposesTitle.replace('{organization}', data.organization)),
      ...boxes.map((box) => h('div', { class: 'vow-opts' }, h('label', {}, box.input, box.text))),
    ),
    h('div', { class: 'vow-actions' }, h('button', { type: 'submit', class: 'vow-btn', 'data-vow-action': 'save' }, strings.save)),
    status,
  );
}
