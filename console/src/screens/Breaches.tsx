/**
 * The breach register (GDPR art. 33(5)): every breach with its clocks, recording a new one,
 * and one breach's notices, steps and closing.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type SubmitEvent } from 'react';
import { Link, Route, Routes, useNavigate, useParams } from 'react-router';
import { answer, api, type BodyOf } from '../api/client';
import { usePolicy } from '../api/declaration';
import { useSession } from '../api/session';
import { Clock, Done, Field, Loading, Problem, ScreenTitle, Table, When } from '../ui/parts';
import { ReasonForm } from '../ui/Reason';
import { textOf } from '../ui/form';

export function Breaches() {
  return (
    <Routes>
      <Route index element={<Register />} />
      <Route path="new" element={<RecordBreach />} />
      <Route path=":id" element={<BreachDetail />} />
    </Routes>
  );
}

function Register() {
  const session = useSession();
  const register = useQuery({ queryKey: ['breaches'], queryFn: () => answer(api.GET('/v1/breaches')) });
  return (
    <>
      <ScreenTitle title="Breaches">Breach register</ScreenTitle>
      {session.may('breaches:manage') && (
        <p>
          <Link className="button" to="new">
            Record a breach
          </Link>
        </p>
      )}
      {register.isPending ? (
        <Loading what="the register" />
      ) : register.isError ? (
        <Problem error={register.error} />
      ) : register.data.breaches.length === 0 ? (
        <p>No breach has been recorded.</p>
      ) : (
        <Table caption="Every breach, newest discovery first" head={['Breach', 'Status', 'Risk', 'Discovered', 'Supervisory authority (72 h)', 'People affected']}>
          {register.data.breaches.map((breach) => {
            const authority = breach.clocks.find((clock) => clock.id === 'authority');
            return (
              <tr key={breach.id}>
                <td>
                  <Link to={breach.id}>{breach.title}</Link>
                </td>
                <td>{breach.status}</td>
                <td>{breach.risk}</td>
                <td>
                  <When at={breach.discoveredAt} />
                </td>
                <td>{authority ? <Clock dueAt={authority.dueAt} doneAt={authority.doneAt} overdue={authority.overdue} /> : null}</td>
                <td>{breach.subjectCount}</td>
              </tr>
            );
          })}
        </Table>
      )}
    </>
  );
}

/** A `datetime-local` value (the person's own clock) as an instant. */
const instant = (local: string) => (local ? new Date(local).toISOString() : '');

function RecordBreach() {
  const policy = usePolicy();
  const navigate = useNavigate();
  const queries = useQueryClient();
  const [error, setError] = useState<unknown>();
  const record = useMutation({
    mutationFn: (body: BodyOf<'/v1/breaches', 'post'>) => answer(api.POST('/v1/breaches', { body })),
    onSuccess: async (breach) => {
      await queries.invalidateQueries({ queryKey: ['breaches'] });
      await navigate(`../${breach.id}`, { relative: 'path' });
    },
    onError: setError,
  });
  const submit = (event: SubmitEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const ids = textOf(form, 'ids').split(/\s+/).filter(Boolean);
    const withCategory = textOf(form, 'withCategory');
    record.mutate({
      title: textOf(form, 'title'),
      description: textOf(form, 'description'),
      beganAt: instant(textOf(form, 'beganAt')),
      discoveredAt: instant(textOf(form, 'discoveredAt')),
      risk: form.get('risk') === 'high' ? 'high' : 'low',
      categories: form.getAll('categories').filter((value) => typeof value === 'string'),
      subjects: { ...(ids.length > 0 ? { ids } : {}), ...(withCategory ? { withCategory } : {}) },
      consequences: textOf(form, 'consequences'),
      measures: textOf(form, 'measures'),
    });
  };
  const categories = policy.data?.categories ?? [];
  return (
    <>
      <p className="crumbs">
        <Link to="..">Breach register</Link>
      </p>
      <ScreenTitle title="Record a breach">Record a breach</ScreenTitle>
      <form className="stack" onSubmit={submit} aria-busy={record.isPending}>
        <Problem error={error} />
        <Field label="Title">{(props) => <input {...props} name="title" required maxLength={200} />}</Field>
        <Field label="What happened">{(props) => <textarea {...props} name="description" required rows={4} maxLength={5000} />}</Field>
        <Field label="When it began">{(props) => <input {...props} name="beganAt" type="datetime-local" required />}</Field>
        <Field label="When it was discovered" hint="The clocks run from here: 72 hours to tell the supervisory authority.">
          {(props) => <input {...props} name="discoveredAt" type="datetime-local" required />}
        </Field>
        <fieldset>
          <legend>Risk to the people affected</legend>
          <label>
            <input type="radio" name="risk" value="low" defaultChecked /> Not high: the authority is told, the people need not be
          </label>
          <label>
            <input type="radio" name="risk" value="high" /> High: the people affected are told without undue delay (art. 34)
          </label>
        </fieldset>
        <fieldset>
          <legend>Categories of data affected</legend>
          {categories.map((category) => (
            <label key={category.id}>
              <input type="checkbox" name="categories" value={category.id} /> {category.name}
            </label>
          ))}
        </fieldset>
        <Field label="People affected: everyone holding records of" hint="Or list them by subject id below; both may be given.">
          {(props) => (
            <select {...props} name="withCategory" defaultValue="">
              <option value="">nobody chosen by category</option>
              {categories.map((category) => (
                <option key={category.id} value={category.id}>
                  {category.name}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="People affected: subject ids" hint="One per line or separated by spaces (sub_…).">
          {(props) => <textarea {...props} name="ids" rows={3} />}
        </Field>
        <Field label="Likely consequences">{(props) => <textarea {...props} name="consequences" required rows={3} maxLength={5000} />}</Field>
        <Field label="Measures taken or proposed">{(props) => <textarea {...props} name="measures" required rows={3} maxLength={5000} />}</Field>
        <button type="submit" disabled={record.isPending}>
          Record the breach
        </button>
      </form>
    </>
  );
}

function BreachDetail() {
  const { id = '' } = useParams();
  const session = useSession();
  const queries = useQueryClient();
  const [done, setDone] = useState<string>();
  const [error, setError] = useState<unknown>();
  const path = { params: { path: { id } } };
  const breach = useQuery({ queryKey: ['breach', id], queryFn: () => answer(api.GET('/v1/breaches/{id}', path)) });
  const notices = useQuery({ queryKey: ['breach', id, 'notices'], queryFn: () => answer(api.GET('/v1/breaches/{id}/notices', path)) });
  const after = (what: string) => async () => {
    setDone(what);
    setError(undefined);
    await queries.invalidateQueries({ queryKey: ['breach', id] });
    await queries.invalidateQueries({ queryKey: ['breaches'] });
  };
  const notifySubjects = useMutation({ mutationFn: () => answer(api.POST('/v1/breaches/{id}/notify-subjects', path)), onSuccess: after('The people affected are being told, through the outbox.'), onError: setError });
  const authority = useMutation({
    mutationFn: (reference: string) => answer(api.POST('/v1/breaches/{id}/authority-notified', { ...path, body: reference ? { reference } : {} })),
    onSuccess: after('Marked: the supervisory authority was notified.'),
  });
  const close = useMutation({ mutationFn: () => answer(api.POST('/v1/breaches/{id}/close', path)), onSuccess: after('Closed: it stays in the register.'), onError: setError });

  if (breach.isPending || breach.isError)
    return (
      <>
        <ScreenTitle title="Breach">Breach</ScreenTitle>
        {breach.isPending ? <Loading what="the breach" /> : <Problem error={breach.error} />}
      </>
    );
  const shown = breach.data;
  const manage = session.may('breaches:manage') && shown.status === 'open';
  return (
    <>
      <p className="crumbs">
        <Link to="..">Breach register</Link>
      </p>
      <ScreenTitle title={shown.title}>{shown.title}</ScreenTitle>
      {done && <Done key={done}>{done}</Done>}
      <Problem error={error} />
      <Table caption="Clocks, from discovery" head={['Notice', 'Law', 'Due']}>
        {shown.clocks.map((clock) => (
          <tr key={clock.id}>
            <td>{clock.id === 'authority' ? 'Supervisory authority' : clock.id === 'subjects' ? 'People affected' : 'California residents'}</td>
            <td>{clock.law}</td>
            <td>
              <Clock dueAt={clock.dueAt} doneAt={clock.doneAt} overdue={clock.overdue} />
            </td>
          </tr>
        ))}
      </Table>
      <dl className="facts">
        <dt>Status</dt>
        <dd>{shown.status}</dd>
        <dt>Risk</dt>
        <dd>{shown.risk}</dd>
        <dt>Began</dt>
        <dd><When at={shown.beganAt} /></dd>
        <dt>Discovered</dt>
        <dd><When at={shown.discoveredAt} /></dd>
        <dt>What happened</dt>
        <dd className="prose">{shown.description}</dd>
        <dt>Categories</dt>
        <dd>{shown.categories.join(', ')}</dd>
        <dt>People affected</dt>
        <dd>{shown.subjectCount}</dd>
        <dt>Likely consequences</dt>
        <dd className="prose">{shown.consequences}</dd>
        <dt>Measures</dt>
        <dd className="prose">{shown.measures}</dd>
        <dt>Authority notified</dt>
        <dd>{shown.authorityNotifiedAt ? <><When at={shown.authorityNotifiedAt} /> {shown.authorityReference}</> : 'not yet'}</dd>
        <dt>People notified</dt>
        <dd>{shown.subjectsNotifiedAt ? <When at={shown.subjectsNotifiedAt} /> : 'not yet'}</dd>
      </dl>
      {manage && (
        <section aria-labelledby="steps">
          <h2 id="steps">Steps</h2>
          <div className="actions">
            {!shown.authorityNotifiedAt && (
              <ReasonForm label="The authority’s reference for the notification" optional action="Mark the authority notified" run={(reference) => authority.mutateAsync(reference)} />
            )}
            {!shown.subjectsNotifiedAt && (
              <p>
                <button type="button" onClick={() => {
                  notifySubjects.mutate();
                }} disabled={notifySubjects.isPending}>
                  Tell the people affected
                </button>
              </p>
            )}
            <p>
              <button type="button" className="quiet" onClick={() => {
                close.mutate();
              }} disabled={close.isPending}>
                Close the breach
              </button>
            </p>
          </div>
        </section>
      )}
      <section aria-labelledby="notices">
        <h2 id="notices">Drafts of the notices</h2>
        {notices.isPending ? (
          <Loading what="the drafts" />
        ) : notices.isError ? (
          <Problem error={notices.error} />
        ) : (
          <>
            <h3>To the supervisory authority</h3>
            <p><strong>{notices.data.authority.subject}</strong></p>
            <pre className="notice">{notices.data.authority.text}</pre>
            <h3>To the people affected</h3>
            <p><strong>{notices.data.subjects.subject}</strong></p>
            <pre className="notice">{notices.data.subjects.text}</pre>
          </>
        )}
      </section>
    </>
  );
}
