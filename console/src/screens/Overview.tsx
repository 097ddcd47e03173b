/**
 * The day's picture: requests by deadline and overdue, consent decisions per day and each
 * category's opt-in rate, events accepted and dropped by reason, the privacy budget, the
 * audit chain and open breaches. Each part is there for the roles that may see it.
 */
import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { answer, api } from '../api/client';
import { Loading, Problem, ScreenTitle, Table, When } from '../ui/parts';

const percent = (rate: number | null) => (rate === null ? '—' : `${Math.round(rate * 100)} %`);

export function Overview() {
  const overview = useQuery({ queryKey: ['overview'], queryFn: () => answer(api.GET('/v1/overview')), refetchInterval: 60_000 });
  const checkpoint = useQuery({ queryKey: ['audit', 'checkpoint'], queryFn: () => answer(api.GET('/.well-known/vow-audit-checkpoint.json')), enabled: overview.data?.audit !== undefined });
  if (overview.isPending) return <><ScreenTitle title="Overview">Overview</ScreenTitle><Loading what="the overview" /></>;
  if (overview.isError) return <><ScreenTitle title="Overview">Overview</ScreenTitle><Problem error={overview.error} /></>;
  const { requests, consent, events, budget, audit, breaches } = overview.data;
  const busiest = Math.max(1, ...(consent?.perDay.map((day) => day.decisions) ?? [1]));
  return (
    <>
      <ScreenTitle title="Overview">Overview</ScreenTitle>
      <div className="cards">
        {requests && (
          <section aria-labelledby="requests" className="card">
            <h2 id="requests">Requests</h2>
            <p className={requests.overdue > 0 ? 'figure overdue' : 'figure'}>{requests.overdue} overdue</p>
            <p>
              {requests.dueSoon} due within 7 days, {requests.pending} pending in all. <Link to="/requests">The queue</Link>
            </p>
          </section>
        )}
        {breaches && (
          <section aria-labelledby="breaches" className="card">
            <h2 id="breaches">Breaches</h2>
            <p className={breaches.overdueClocks > 0 ? 'figure overdue' : 'figure'}>{breaches.open} open</p>
            <p>
              {breaches.overdueClocks} notice clocks overdue. <Link to="/breaches">The register</Link>
            </p>
          </section>
        )}
        {audit && (
          <section aria-labelledby="audit" className="card">
            <h2 id="audit">Audit chain</h2>
            <p className="figure">{audit.records} records</p>
            <p>
              {checkpoint.data ? (
                <>
                  Signed checkpoint at record {checkpoint.data.seq}, <When at={checkpoint.data.at} />.
                </>
              ) : checkpoint.isError ? (
                <span className="overdue">No checkpoint could be signed: {checkpoint.error.message}</span>
              ) : (
                'Checking the latest checkpoint…'
              )}{' '}
              <Link to="/audit">The log</Link>
            </p>
          </section>
        )}
        {events && (
          <section aria-labelledby="events" className="card">
            <h2 id="events">Events</h2>
            <p className="figure">{events.accepted} accepted</p>
            <p>
              Dropped since this server started:{' '}
              {Object.entries(events.dropped).length === 0
                ? 'none'
                : Object.entries(events.dropped)
                    .map(([reason, count]) => `${count} ${reason}`)
                    .join(', ')}
              .
            </p>
          </section>
        )}
      </div>
      {consent && (
        <section aria-labelledby="consent">
          <h2 id="consent">Consent, the last 14 days</h2>
          <Table caption="Decisions per day" head={['Day', 'Decisions']}>
            {consent.perDay.map((day) => (
              <tr key={day.day}>
                <td>
                  <time dateTime={day.day}>{day.day}</time>
                </td>
                <td className="with-bar">
                  {day.decisions}
                  <span className="bar-chart" aria-hidden="true" style={{ width: `${(100 * day.decisions) / busiest}%` }} />
                </td>
              </tr>
            ))}
          </Table>
          <Table caption="Opt-in rate per cookie category" head={['Category', 'Allowed', 'Refused', 'Opt-in rate']}>
            {consent.categories.map((category) => (
              <tr key={category.id}>
                <td>{category.name}</td>
                <td>{category.granted}</td>
                <td>{category.refused}</td>
                <td>{percent(category.optInRate)}</td>
              </tr>
            ))}
          </Table>
        </section>
      )}
      {budget && (
        <section aria-labelledby="budget">
          <h2 id="budget">Privacy budget</h2>
          <Table caption="Epsilon per data set" head={['Data set', 'Total', 'Spent', 'Remaining']}>
            {budget.map((row) => (
              <tr key={row.dataset}>
                <td>{row.dataset}</td>
                <td>{row.total}</td>
                <td>{row.spent}</td>
                <td>{row.remaining}</td>
              </tr>
            ))}
          </Table>
        </section>
      )}
    </>
  );
}
