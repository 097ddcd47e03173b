/** The day's picture: requests by deadline and overdue, open breaches. */
import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { answer, api } from '../api/client';
import { useSession } from '../api/session';
import { Loading, Problem, ScreenTitle } from '../ui/parts';

export function Overview() {
  const session = useSession();
  const due = useQuery({ queryKey: ['requests', 'due', undefined], queryFn: () => answer(api.GET('/v1/requests', { params: { query: { due: 'true', limit: 200 } } })), enabled: session.may('requests:read') });
  return (
    <>
      <ScreenTitle title="Overview">Overview</ScreenTitle>
      {session.may('requests:read') && (
        <section aria-labelledby="due">
          <h2 id="due">Requests due</h2>
          {due.isPending ? <Loading what="requests" /> : due.isError ? <Problem error={due.error} /> : (
            <p>
              <Link to="/requests">{due.data.requests.filter((request) => request.overdue).length} overdue, {due.data.requests.length} due within 7 days</Link>
            </p>
          )}
        </section>
      )}
    </>
  );
}
