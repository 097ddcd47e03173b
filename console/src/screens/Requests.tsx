/** The request queue, soonest deadline first, a page at a time; one request with its actions, tasks and log. */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, Route, Routes, useParams } from 'react-router';
import { answer, api } from '../api/client';
import { useSession } from '../api/session';
import { Pager, useCursorPages } from '../ui/pages';
import { Clock, Done, Loading, Problem, ScreenTitle, Table, When } from '../ui/parts';
import { ReasonForm } from '../ui/Reason';

export function Requests() {
  return (
    <Routes>
      <Route index element={<Queue />} />
      <Route path=":id" element={<RequestDetail />} />
    </Routes>
  );
}

const statuses = ['unverified', 'open', 'completing', 'waiting', 'completed', 'denied', 'expired'] as const;
type Filter = 'due' | 'all' | (typeof statuses)[number];

function Queue() {
  const [filter, setFilter] = useState<Filter>('due');
  // The cursors of the pages before this one, so "Previous page" walks back.
  const pages = useCursorPages<string>();
  const after = pages.current;
  const queue = useQuery({
    queryKey: ['requests', filter, after],
    queryFn: () =>
      answer(
        api.GET('/v1/requests', {
          params: { query: { limit: 50, ...(filter === 'due' ? { due: 'true' as const } : filter === 'all' ? {} : { status: filter }), ...(after ? { after } : {}) } },
        }),
      ),
  });
  return (
    <>
      <ScreenTitle title="Requests">Requests</ScreenTitle>
      <div className="bar">
        <label htmlFor="request-filter">Show</label>
        <select
          id="request-filter"
          value={filter}
          onChange={(event) => {
            setFilter(event.target.value as Filter);
            pages.reset();
          }}
        >
          <option value="due">Due within 7 days or overdue</option>
          <option value="all">All, soonest deadline first</option>
          {statuses.map((status) => (
            <option key={status} value={status}>
              {status}
            </option>
          ))}
        </select>
      </div>
      {queue.isPending ? (
        <Loading what="the queue" />
      ) : queue.isError ? (
        <Problem error={queue.error} />
      ) : queue.data.requests.length === 0 ? (
        <p>No requests here.</p>
      ) : (
        <Table caption="Requests by deadline" head={['Request', 'Kind', 'Status', 'Deadline', 'Received', 'Law']}>
          {queue.data.requests.map((request) => (
            <tr key={request.id} className={request.overdue ? 'overdue-row' : undefined}>
              <td>
                <Link to={request.id}>{request.id}</Link>
              </td>
              <td>{request.kind}</td>
              <td>{request.status}</td>
              <td>{['completed', 'denied', 'expired'].includes(request.status) ? <span className="muted">closed <When at={request.closedAt} /></span> : <Clock dueAt={request.dueAt} overdue={request.overdue} />}</td>
              <td>
                <When at={request.receivedAt} />
              </td>
              <td>{request.jurisdiction.toUpperCase()}</td>
            </tr>
          ))}
        </Table>
      )}
      <Pager pages={pages} next={queue.data?.next} />
    </>
  );
}

function RequestDetail() {
  const { id = '' } = useParams();
  const session = useSession();
  const queries = useQueryClient();
  const [done, setDone] = useState<string>();
  const shown = useQuery({ queryKey: ['request', id], queryFn: () => answer(api.GET('/v1/requests/{id}', { params: { path: { id } } })) });
  const after = (what: string) => async () => {
    setDone(what);
    await queries.invalidateQueries({ queryKey: ['request', id] });
    await queries.invalidateQueries({ queryKey: ['requests'] });
  };
  const path = { params: { path: { id } } };
  const approve = useMutation({ mutationFn: (verification: string) => answer(api.POST('/v1/requests/{id}/approve', { ...path, body: { verification } })), onSuccess: after('Approved: the request is open.') });
  const deny = useMutation({ mutationFn: (reason: string) => answer(api.POST('/v1/requests/{id}/deny', { ...path, body: { reason } })), onSuccess: after('Denied: the requester is told why.') });
  const extend = useMutation({ mutationFn: (reason: string) => answer(api.POST('/v1/requests/{id}/extend', { ...path, body: { reason } })), onSuccess: after('Extended: the requester is told why.') });
  const complete = useMutation({
    mutationFn: (text: string) => answer(api.POST('/v1/requests/{id}/complete', { ...path, body: text ? { answer: text } : {} })),
    onSuccess: after('Carried out: the requester is told.'),
  });
  const taskDone = useMutation({
    mutationFn: ({ taskId, reason }: { taskId: string; reason: string }) => answer(api.POST('/v1/requests/{id}/tasks/{taskId}/done', { params: { path: { id, taskId } }, body: { reason } })),
    onSuccess: after('The task is marked done.'),
  });

  // The screen has its heading from the start, so focus and the page's outline never wait for the data.
  if (shown.isPending || shown.isError)
    return (
      <>
        <ScreenTitle title={`Request ${id}`}>Request <code>{id}</code></ScreenTitle>
        {shown.isPending ? <Loading what="the request" /> : <Problem error={shown.error} />}
      </>
    );
  const request = shown.data;
  const manage = session.may('requests:manage');
  const pending = ['unverified', 'open', 'completing', 'waiting'].includes(request.status);
  return (
    <>
      <p className="crumbs">
        <Link to="..">Requests</Link>
      </p>
      <ScreenTitle title={`Request ${request.id}`}>
        {request.kind} request <code>{request.id}</code>
      </ScreenTitle>
      {done && <Done key={done}>{done}</Done>}
      <dl className="facts">
        <dt>Status</dt>
        <dd>{request.status}{request.outcome ? ` (${request.outcome})` : ''}</dd>
        <dt>Deadline</dt>
        <dd>{pending ? <Clock dueAt={request.dueAt} overdue={request.overdue} /> : <When at={request.dueAt} />}{request.extendedAt ? ' (extended)' : ''}</dd>
        <dt>Received</dt>
        <dd><When at={request.receivedAt} /></dd>
        <dt>Law</dt>
        <dd>{request.jurisdiction.toUpperCase()}</dd>
        <dt>Subject</dt>
        <dd>{request.subjectId ? <Link to={`/subjects/${request.subjectId}`}>{request.subjectId}</Link> : <span className="muted">not known yet</span>}</dd>
        <dt>Verified</dt>
        <dd>{request.verifiedAt ? <><When at={request.verifiedAt} /> {request.verification}</> : 'not yet'}</dd>
        {request.email !== undefined && (<><dt>E-mail</dt><dd>{request.email}</dd></>)}
        {request.details !== undefined && (<><dt>Details</dt><dd className="prose">{request.details}</dd></>)}
      </dl>
      {manage && pending && (
        <section aria-labelledby="actions">
          <h2 id="actions">Act on it</h2>
          <div className="actions">
            {request.status === 'unverified' && (
              <ReasonForm label="How the identity was checked" action="Approve" run={(text) => approve.mutateAsync(text)} />
            )}
            {request.status === 'open' && (
              <ReasonForm label={request.kind === 'question' ? 'The answer' : 'A note to the requester (optional)'} action="Carry it out" optional={request.kind !== 'question'} run={(text) => complete.mutateAsync(text)} />
            )}
            {!request.extendedAt && <ReasonForm label="Why more time is needed" action="Extend the deadline" run={(text) => extend.mutateAsync(text)} />}
            <ReasonForm label="Why it is refused" action="Deny" run={(text) => deny.mutateAsync(text)} />
          </div>
        </section>
      )}
      <section aria-labelledby="tasks">
        <h2 id="tasks">Each system’s share</h2>
        {request.tasks.length === 0 ? (
          <p>No declared system has a share in this request.</p>
        ) : (
          <Table caption="Tasks of the declared systems" head={['System', 'Action', 'Status', 'Attempts', 'Last error', 'Done']}>
            {request.tasks.map((task) => (
              <tr key={task.id}>
                <td>{task.system}</td>
                <td>{task.action}</td>
                <td>{task.status}{task.late ? ' (late)' : ''}</td>
                <td>{task.attempts}</td>
                <td>{task.lastError ?? <span className="muted">—</span>}</td>
                <td>
                  {task.doneAt ? (
                    <><When at={task.doneAt} /> {task.doneBy}</>
                  ) : manage && (task.status === 'waiting-for-staff' || task.status === 'failed' || task.late) ? (
                    <ReasonForm label={`Done by hand in ${task.system}: how`} action="Mark done" run={(reason) => taskDone.mutateAsync({ taskId: task.id, reason })} />
                  ) : (
                    <span className="muted">not yet</span>
                  )}
                </td>
              </tr>
            ))}
          </Table>
        )}
      </section>
      <section aria-labelledby="log">
        <h2 id="log">Log</h2>
        <ol className="log">
          {request.events.map((event, index) => (
            <li key={`${event.at}-${index}`}>
              <When at={event.at} /> <strong>{event.type}</strong> by {event.actor}
              {event.note ? `: ${event.note}` : ''}
            </li>
          ))}
        </ol>
      </section>
    </>
  );
}
