/** Signing in with a staff account: e-mail, password and, when the account has one, the code of its second factor. */
import { useState, type SubmitEvent } from 'react';
import { ApiError } from '../api/client';
import { useSignIn } from '../api/session';
import { Field, Problem, ScreenTitle } from '../ui/parts';
import { textOf } from '../ui/form';

export function SignIn() {
  const signIn = useSignIn();
  const [error, setError] = useState<unknown>();
  const [askCode, setAskCode] = useState(false);
  const [busy, setBusy] = useState(false);

  const submit = async (event: SubmitEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const code = textOf(form, 'code');
    setBusy(true);
    setError(undefined);
    try {
      await signIn({ email: textOf(form, 'email'), password: textOf(form, 'password'), ...(code ? { code } : {}) });
    } catch (failure) {
      if (failure instanceof ApiError && failure.code === 'second_factor_required') setAskCode(true);
      setError(failure);
    } finally {
      setBusy(false);
    }
  };

  return (
    <main id="main" className="sign-in">
      <ScreenTitle title="Sign in">Sign in to the Vow console</ScreenTitle>
      <form onSubmit={(event) => void submit(event)} aria-busy={busy}>
        <Problem error={error} />
        <Field label="E-mail address">{(props) => <input {...props} name="email" type="email" autoComplete="username" required />}</Field>
        <Field label="Password">{(props) => <input {...props} name="password" type="password" autoComplete="current-password" required />}</Field>
        {askCode && (
          <Field label="Code from your authenticator app" hint="Six digits; a new one every 30 seconds.">
            {(props) => <input {...props} name="code" inputMode="numeric" autoComplete="one-time-code" pattern="[0-9]{6}" required autoFocus />}
          </Field>
        )}
        <button type="submit" disabled={busy}>
          Sign in
        </button>
      </form>
    </main>
  );
}
