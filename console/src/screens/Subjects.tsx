/**
 * A person's file: found by e-mail through the blind index; their data shown for one chosen
 * purpose (never all at once); consent history, disclosures and transfers; legal holds,
 * the export and erasure.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type SubmitEvent } from 'react';
import { Link, Route, Routes, useParams } from 'react-router';
import { answer, api } from '../api/client';
import { usePolicy } from '../api/declaration';
import { saveFile } from '../api/save-file';
import { useSession } from '../api/session';
import { textOf } from '../ui/form';
import { Done, Field, Loading, Problem, ScreenTitle, Table, When } from '../ui/parts';
import { ReasonForm } from '../ui/Reason';

export function Subjects() {
  return (
    <Routes>
      <Route index element={<Search />} />
      <Route path=":id" element={<Subject />} />
    </Routes>
  );
}

function Search() {
  const search = useMutation({ mutationFn: (email: string) => answer(api.POST('/v1/subjects/search', { body: { email } })) });
  const submit = (event: SubmitEvent<HTMLFormElement>) => {
    event.preventDefault();
    search.mutate(textOf(new FormData(event.currentTarget), 'email'));
  };
  return (
    <>
      <ScreenTitle title="Subjects">Subjects</ScreenTitle>
      <form className="bar" onSubmit={submit} role="search" aria-label="Find a person">
        <Field label="E-mail address" hint="Matched by its keyed hash: the address itself is never stored.">
          {(props) => <input {...props} name="email" type="email" required autoComplete="off" />}
        </Field>
        <button type="submit" disabled={search.isPending}>
          Find
        </button>
      </form>
      <Problem error={search.error} />
      <div role="status">
        {search.data &&
          (search.data.subjects.length === 0 ? (
            <p>Nobody is known by this address.</p>
          ) : (
            <ul>
              {search.data.subjects.map((subject) => (
                <li key={subject.id}>
                  <Link to={subject.id}>{subject.id}</Link> ({subject.kind}
                  {subject.region ? `, ${subject.region}` : ''}, since <When at={subject.createdAt} />
                  {subject.closedAt ? ', closed' : ''})
                </li>
              ))}
            </ul>
          ))}
      </div>
    </>
  );
}

function Subject() {
  const { id = '' } = useParams();
  const session = useSession();
  return (
    <>
      <p className="crumbs">
        <Link to="..">Subjects</Link>
      </p>
      <ScreenTitle title={`Subject ${id}`}>
        Subject <code>{id}</code>
      </ScreenTitle>
      {session.may('subjects:read-data') && <DataForPurpose id={id} />}
      {session.may('consent:read') && <ConsentHistory id={id} />}
      {session.may('disclosures:read') && <Disclosures id={id} />}
      {session.may('transfers:read') && <Transfers id={id} />}
      {session.may('holds:manage') && <Holds id={id} />}
      {(session.role === 'admin' || session.role === 'privacy-officer') && <ExportAndErase id={id} />}
    </>
  );
}

function DataForPurpose({ id }: { id: string }) {
  const policy = usePolicy();
  const [purpose, setPurpose] = useState('');
  const data = useQuery({
    queryKey: ['subject', id, 'data', purpose],
    queryFn: () => answer(api.GET('/v1/subjects/{id}/data', { params: { path: { id }, query: { purpose } } })),
    enabled: purpose !== '',
  });
  return (
    <section aria-labelledby="data">
      <h2 id="data">Data, for one purpose</h2>
      <div className="bar">
        <label htmlFor="purpose">Purpose</label>
        <select
          id="purpose"
          value={purpose}
          onChange={(event) => {
            setPurpose(event.target.value);
          }}
        >
          <option value="">Choose the purpose you need it for</option>
          {(policy.data?.purposes ?? []).map((declared) => (
            <option key={declared.id} value={declared.id}>
              {declared.name}
            </option>
          ))}
        </select>
      </div>
      <p className="hint">Each reading is audited with its purpose. Only the categories declared for that purpose are shown.</p>
      {purpose !== '' &&
        (data.isPending ? (
          <Loading what="the data" />
        ) : data.isError ? (
          <Problem error={data.error} />
        ) : data.data.categories.length === 0 ? (
          <p>Nothing is held for this purpose.</p>
        ) : (
          data.data.categories.map((category) => (
            <Table key={category.category} caption={category.category} head={['Field', 'Value', 'Source', 'Collected']}>
              {category.records.flatMap((record) =>
                Object.entries(record.fields).map(([field, value]) => (
                  <tr key={`${record.id}-${field}`}>
                    <td>{field}</td>
                    <td>{value}</td>
                    <td>{record.source}</td>
                    <td>
                      <When at={record.collectedAt} />
                    </td>
                  </tr>
                )),
              )}
            </Table>
          ))
        ))}
    </section>
  );
}

function ConsentHistory({ id }: { id: string }) {
  const history = useQuery({ queryKey: ['subject', id, 'consent'], queryFn: () => answer(api.GET('/v1/consent/{subject}', { params: { path: { subject: id } } })) });
  return (
    <section aria-labelledby="consent">
      <h2 id="consent">Consent history</h2>
      {history.isPending ? (
        <Loading what="consent" />
      ) : history.isError ? (
        <Problem error={history.error} />
      ) : history.data.records.length === 0 ? (
        <p>No consent decision is recorded.</p>
      ) : (
        <Table caption="Consent decisions, oldest first" head={['When', 'Granted', 'Refused', 'Policy', 'Signals', 'Proof']}>
          {history.data.records.map((record) => (
            <tr key={record.id}>
              <td>
                <When at={record.recordedAt} />
              </td>
              <td>{record.granted.join(', ') || '—'}</td>
              <td>{record.refused.join(', ') || '—'}</td>
              <td>v{record.policyVersion}</td>
              <td>{[record.gpc ? 'GPC' : '', record.dnt ? 'DNT' : ''].filter(Boolean).join(', ') || '—'}</td>
              <td>{record.verified ? 'verified' : 'does not verify'}</td>
            </tr>
          ))}
        </Table>
      )}
    </section>
  );
}

function Disclosures({ id }: { id: string }) {
  const disclosures = useQuery({ queryKey: ['subject', id, 'disclosures'], queryFn: () => answer(api.GET('/v1/subjects/{id}/disclosures', { params: { path: { id } } })) });
  return (
    <section aria-labelledby="disclosures">
      <h2 id="disclosures">Disclosures</h2>
      {disclosures.isPending ? (
        <Loading what="disclosures" />
      ) : disclosures.isError ? (
        <Problem error={disclosures.error} />
      ) : disclosures.data.disclosures.length === 0 ? (
        <p>None of this person’s data was disclosed.</p>
      ) : (
        <Table caption="Who received what, when and why" head={['When', 'Recipient', 'Purpose', 'Categories', 'Country']}>
          {disclosures.data.disclosures.map((disclosure) => (
            <tr key={disclosure.id}>
              <td>
                <When at={disclosure.at} />
              </td>
              <td>{disclosure.recipient}</td>
              <td>{disclosure.purpose}</td>
              <td>{disclosure.categories.join(', ')}</td>
              <td>{disclosure.country}</td>
            </tr>
          ))}
        </Table>
      )}
    </section>
  );
}

function Transfers({ id }: { id: string }) {
  const transfers = useQuery({ queryKey: ['subject', id, 'transfers'], queryFn: () => answer(api.GET('/v1/subjects/{id}/transfers', { params: { path: { id } } })) });
  return (
    <section aria-labelledby="transfers">
      <h2 id="transfers">Transfers across borders</h2>
      {transfers.isPending ? (
        <Loading what="transfers" />
      ) : transfers.isError ? (
        <Problem error={transfers.error} />
      ) : transfers.data.transfers.length === 0 ? (
        <p>None of this person’s data crossed a border.</p>
      ) : (
        <Table caption="Where the data crossed borders" head={['From', 'To', 'Safeguard', 'Basis', 'First']}>
          {transfers.data.transfers.map((transfer) => (
            <tr key={`${transfer.from}-${transfer.to}-${transfer.basis}`}>
              <td>{transfer.from}</td>
              <td>{transfer.to}</td>
              <td>{transfer.safeguard}</td>
              <td>{transfer.basis}</td>
              <td>
                <When at={transfer.at} />
              </td>
            </tr>
          ))}
        </Table>
      )}
    </section>
  );
}

function Holds({ id }: { id: string }) {
  const queries = useQueryClient();
  const [done, setDone] = useState<string>();
  const holds = useQuery({ queryKey: ['subject', id, 'holds'], queryFn: () => answer(api.GET('/v1/subjects/{id}/holds', { params: { path: { id } } })) });
  const refresh = (what: string) => async () => {
    setDone(what);
    await queries.invalidateQueries({ queryKey: ['subject', id, 'holds'] });
  };
  const place = useMutation({ mutationFn: (reason: string) => answer(api.POST('/v1/subjects/{id}/holds', { params: { path: { id } }, body: { reason } })), onSuccess: refresh('The hold is placed: nothing held is erased or purged.') });
  const release = useMutation({ mutationFn: (holdId: string) => answer(api.DELETE('/v1/holds/{id}', { params: { path: { id: holdId } } })), onSuccess: refresh('The hold is released.') });
  return (
    <section aria-labelledby="holds">
      <h2 id="holds">Legal holds</h2>
      {done && <Done key={done}>{done}</Done>}
      <Problem error={release.error} />
      {holds.isPending ? (
        <Loading what="holds" />
      ) : holds.isError ? (
        <Problem error={holds.error} />
      ) : holds.data.holds.length === 0 ? (
        <p>No legal hold.</p>
      ) : (
        <Table caption="Legal holds, active and released" head={['Placed', 'Reason', 'Categories', 'Released']}>
          {holds.data.holds.map((hold) => (
            <tr key={hold.id}>
              <td>
                <When at={hold.createdAt} />
              </td>
              <td>{hold.reason}</td>
              <td>{hold.categories?.join(', ') ?? 'everything'}</td>
              <td>
                {hold.releasedAt ? (
                  <When at={hold.releasedAt} />
                ) : (
                  <button
                    type="button"
                    className="quiet"
                    onClick={() => {
                      release.mutate(hold.id);
                    }}
                  >
                    Release
                  </button>
                )}
              </td>
            </tr>
          ))}
        </Table>
      )}
      <ReasonForm label="Why the data must be kept" hint="Stored encrypted; the audit keeps its hash." action="Place a hold" run={(reason) => place.mutateAsync(reason)} />
    </section>
  );
}

function ExportAndErase({ id }: { id: string }) {
  const [done, setDone] = useState<string>();
  const download = useMutation({
    mutationFn: async () => {
      await saveFile(api.GET('/v1/subjects/{id}/export', { params: { path: { id } }, parseAs: 'blob' }), `vow-export-${id}.zip`);
      setDone('The export is downloaded.');
    },
  });
  const erase = useMutation({
    mutationFn: () => answer(api.POST('/v1/subjects/{id}/erase', { params: { path: { id } }, body: { reason: 'admin' } })),
    onSuccess: (outcome) => {
      setDone(outcome.erased ? `Erased from every table; recipients notified: ${outcome.recipientsNotified.join(', ') || 'none'}.` : `A legal hold kept ${outcome.heldCategories.join(', ')}.`);
    },
  });
  const confirmErase = (event: SubmitEvent<HTMLFormElement>) => {
    event.preventDefault();
    erase.mutate();
  };
  return (
    <section aria-labelledby="rights">
      <h2 id="rights">Export and erasure</h2>
      {done && <Done key={done}>{done}</Done>}
      <Problem error={download.error ?? erase.error} />
      <p>
        <button
          type="button"
          onClick={() => {
            download.mutate();
          }}
          disabled={download.isPending}
        >
          Download everything held (zip)
        </button>
      </p>
      <form className="reason" onSubmit={confirmErase}>
        <label>
          <input type="checkbox" name="sure" required /> I understand: the data is erased from every table, its key destroyed, and recipients are told. This cannot be undone.
        </label>
        <p>
          <button type="submit" disabled={erase.isPending}>
            Erase this person
          </button>
        </p>
      </form>
    </section>
  );
}
