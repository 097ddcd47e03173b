/** The audit log, newest first, paged and filtered; the whole chain verified on demand; the latest signed checkpoint. */
import { useMutation, useQuery } from '@tanstack/react-query';
import { useState, type SubmitEvent } from 'react';
import { answer, api } from '../api/client';
import { textOf } from '../ui/form';
import { Pager, useCursorPages } from '../ui/pages';
import { Field, Loading, Problem, ScreenTitle, Table, When } from '../ui/parts';

interface Filters {
  action?: string;
  actor?: string;
  target?: string;
}

export function Audit() {
  const [filters, setFilters] = useState<Filters>({});
  const pages = useCursorPages<number>();
  const before = pages.current;
  const log = useQuery({
    queryKey: ['audit', filters, before],
    queryFn: () => answer(api.GET('/v1/audit', { params: { query: { limit: 50, ...filters, ...(before !== undefined ? { before } : {}) } } })),
  });
  const checkpoint = useQuery({ queryKey: ['audit', 'checkpoint'], queryFn: () => answer(api.GET('/.well-known/vow-audit-checkpoint.json')) });
  const verify = useMutation({ mutationFn: () => answer(api.GET('/v1/audit/verification')) });

  const filter = (event: SubmitEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const chosen: Filters = {};
    for (const name of ['action', 'actor', 'target'] as const) {
      const value = textOf(form, name);
      if (value) chosen[name] = value;
    }
    setFilters(chosen);
    pages.reset();
  };

  return (
    <>
      <ScreenTitle title="Audit">Audit log</ScreenTitle>
      <section aria-labelledby="chain">
        <h2 id="chain">The chain</h2>
        {checkpoint.data && (
          <p>
            Latest signed checkpoint: record {checkpoint.data.seq}, <When at={checkpoint.data.at} />, hash <code>{checkpoint.data.hash.slice(0, 16)}…</code>
          </p>
        )}
        <Problem error={checkpoint.error} />
        <button
          type="button"
          onClick={() => {
            verify.mutate();
          }}
          disabled={verify.isPending}
        >
          Verify the whole chain now
        </button>
        <div role="status">
          {verify.isPending && <p>Verifying…</p>}
          {verify.data &&
            (verify.data.ok ? (
              <p className="done">The chain holds: {verify.data.count} records, every hash and link checked, the sealed head matching.</p>
            ) : (
              <p className="problem">
                The chain is broken at record {verify.data.seq}: {verify.data.reason}
              </p>
            ))}
        </div>
        <Problem error={verify.error} />
      </section>
      <section aria-labelledby="records">
        <h2 id="records">Records</h2>
        <form className="filters" onSubmit={filter}>
          <Field label="Action" hint="One, or a family ending in a dot: request.">
            {(props) => <input {...props} name="action" />}
          </Field>
          <Field label="Actor" hint="staff:stf_…, key:…, public, system">
            {(props) => <input {...props} name="actor" />}
          </Field>
          <Field label="Target" hint="request:req_…, subject:sub_…">
            {(props) => <input {...props} name="target" />}
          </Field>
          <button type="submit">Filter</button>
        </form>
        {log.isPending ? (
          <Loading what="the log" />
        ) : log.isError ? (
          <Problem error={log.error} />
        ) : log.data.records.length === 0 ? (
          <p>No record matches.</p>
        ) : (
          <Table caption="Audit records, newest first" head={['#', 'When', 'Actor', 'Action', 'Target', 'Details']}>
            {log.data.records.map((record) => (
              <tr key={record.seq}>
                <td>{record.seq}</td>
                <td>
                  <When at={record.at} />
                </td>
                <td>
                  <code>{record.actor}</code>
                </td>
                <td>{record.action}</td>
                <td>
                  <code>{record.target}</code>
                </td>
                <td>
                  <code>{record.data === '{}' ? '' : record.data}</code>
                </td>
              </tr>
            ))}
          </Table>
        )}
        <Pager pages={pages} next={log.data?.next} labels={['Newer', 'Older']} />
      </section>
    </>
  );
}
