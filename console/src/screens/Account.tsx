/** The signed-in person's own account: their open sessions (revoke a lost laptop's) and the second factor. */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type SubmitEvent } from 'react';
import { answer, api } from '../api/client';
import { useSession } from '../api/session';
import { textOf } from '../ui/form';
import { Done, Field, Problem, ScreenTitle, Table, When } from '../ui/parts';

export function Account() {
  const session = useSession();
  const queries = useQueryClient();
  const [done, setDone] = useState<string>();
  const revoke = useMutation({
    mutationFn: (id: string) => answer(api.DELETE('/v1/sessions/{id}', { params: { path: { id } } })),
    onSuccess: async () => {
      setDone('The session is revoked: that browser is signed out.');
      await queries.invalidateQueries({ queryKey: ['session'] });
    },
  });
  return (
    <>
      <ScreenTitle title="Your account">Your account</ScreenTitle>
      {done && <Done key={done}>{done}</Done>}
      <Problem error={revoke.error} />
      <section aria-labelledby="sessions">
        <h2 id="sessions">Where you are signed in</h2>
        <Table caption="Open sessions, newest first" head={['Signed in', 'Last used', 'Ends', 'Session']}>
          {session.sessions.map((open) => (
            <tr key={open.id}>
              <td>
                <When at={open.createdAt} />
              </td>
              <td>
                <When at={open.lastSeenAt} />
              </td>
              <td>
                <When at={open.expiresAt} />
              </td>
              <td>
                {open.id === session.sessionId ? (
                  'this browser'
                ) : (
                  <button
                    type="button"
                    className="quiet"
                    onClick={() => {
                      revoke.mutate(open.id);
                    }}
                  >
                    Revoke
                  </button>
                )}
              </td>
            </tr>
          ))}
        </Table>
      </section>
      <SecondFactor on={session.secondFactor} />
    </>
  );
}

/** The QR code of an `otpauth://` address, drawn as SVG; loaded only when someone adds a second factor. */
async function qrImage(uri: string): Promise<string> {
  const { toString } = await import('qrcode');
  return `data:image/svg+xml;utf8,${encodeURIComponent(await toString(uri, { type: 'svg', margin: 2 }))}`;
}

function SecondFactor({ on }: { on: boolean }) {
  const queries = useQueryClient();
  const [done, setDone] = useState<string>();
  const start = useMutation({
    mutationFn: async (password: string) => {
      const started = await answer(api.POST('/v1/session/totp', { body: { password } }));
      return { ...started, qr: await qrImage(started.uri) };
    },
  });
  const begin = (event: SubmitEvent<HTMLFormElement>) => {
    event.preventDefault();
    start.mutate(textOf(new FormData(event.currentTarget), 'password'));
  };
  const confirm = useMutation({
    mutationFn: (code: string) => answer(api.POST('/v1/session/totp/confirm', { body: { code } })),
    onSuccess: async () => {
      setDone('The second factor is on: signing in asks for its code from now on, and your other sessions have ended.');
      start.reset();
      await queries.invalidateQueries({ queryKey: ['session'] });
    },
  });
  const submit = (event: SubmitEvent<HTMLFormElement>) => {
    event.preventDefault();
    confirm.mutate(textOf(new FormData(event.currentTarget), 'code'));
  };
  return (
    <section aria-labelledby="second-factor">
      <h2 id="second-factor">Second factor</h2>
      {done && <Done key={done}>{done}</Done>}
      {on ? (
        <p>On: signing in asks for the code of your authenticator app.</p>
      ) : start.data ? (
        <>
          <p>Scan this code with your authenticator app, or type the key in it; then give the six digits it shows.</p>
          <img className="qr" src={start.data.qr} alt="QR code of the second factor for your authenticator app" width={192} height={192} />
          <p>
            Key: <code>{start.data.secret}</code>
          </p>
          <form className="bar" onSubmit={submit}>
            <Field label="Code from your authenticator app">{(props) => <input {...props} name="code" inputMode="numeric" autoComplete="one-time-code" pattern="[0-9]{6}" required />}</Field>
            <button type="submit" disabled={confirm.isPending}>
              Turn it on
            </button>
          </form>
          <Problem error={confirm.error} />
        </>
      ) : (
        <>
          <p>Off. With a second factor, a stolen password alone does not open your account.</p>
          <form className="bar" onSubmit={begin}>
            <Field label="Your password" hint="Asked again, so that a session left open cannot tie your account to another phone.">
              {(props) => <input {...props} name="password" type="password" autoComplete="current-password" required />}
            </Field>
            <button type="submit" disabled={start.isPending}>
              Add an authenticator app
            </button>
          </form>
          <Problem error={start.error} />
        </>
      )}
    </section>
  );
}
