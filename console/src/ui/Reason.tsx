/** A staff action that needs a written reason (deny, extend, approve, a task done by hand): a small form of its own. */
import { useState, type SubmitEvent } from 'react';
import { Field, Problem } from './parts';
import { textOf } from './form';

export function ReasonForm({ label, hint, action, run, optional = false }: { label: string; hint?: string; action: string; run: (text: string) => Promise<unknown>; optional?: boolean }) {
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const submit = async (event: SubmitEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = event.currentTarget;
    setBusy(true);
    setError(undefined);
    try {
      await run(textOf(new FormData(form), 'text'));
      form.reset();
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className="reason" onSubmit={(event) => void submit(event)} aria-busy={busy}>
      <Problem error={error} />
      <Field label={label} {...(hint ? { hint } : {})}>
        {(props) => <textarea {...props} name="text" rows={2} required={!optional} maxLength={5000} />}
      </Field>
      <button type="submit" disabled={busy}>
        {action}
      </button>
    </form>
  );
}
