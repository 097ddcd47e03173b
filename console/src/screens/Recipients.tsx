/**
 * Recipients: the webhook endpoints that receive signed erasure and correction notices,
 * every delivery with its attempts and retries, and the tasks staff carry to recipients
 * without a webhook.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { answer, api } from '../api/client';
import { Done, Loading, Problem, ScreenTitle, Table, When } from '../ui/parts';

export function Recipients() {
  const queries = useQueryClient();
  const [done, setDone] = useState<string>();
  const tasks = useQuery({ queryKey: ['recipient-tasks'], queryFn: () => answer(api.GET('/v1/recipient-tasks', { params: { query: { status: 'open' } } })) });
  const webhooks = useQuery({ queryKey: ['webhooks'], queryFn: () => answer(api.GET('/v1/webhooks', { params: { query: { removed: 'false' } } })) });
  const deliveries = useQuery({ queryKey: ['deliveries'], queryFn: () => answer(api.GET('/v1/webhooks/deliveries', { params: { query: { limit: 50 } } })) });
  const told = useMutation({
    mutationFn: (id: string) => answer(api.POST('/v1/recipient-tasks/{id}/done', { params: { path: { id } } })),
    onSuccess: async () => {
      setDone('Marked done: the recipient was told.');
      await queries.invalidateQueries({ queryKey: ['recipient-tasks'] });
    },
  });
  return (
    <>
      <ScreenTitle title="Recipients">Recipients</ScreenTitle>
      <section aria-labelledby="tasks">
        <h2 id="tasks">To tell by hand</h2>
        <p className="hint">Recipients that registered no webhook: staff pass on each erasure or correction, then mark it done.</p>
        {done && <Done key={done}>{done}</Done>}
        <Problem error={told.error} />
        {tasks.isPending ? (
          <Loading what="tasks" />
        ) : tasks.isError ? (
          <Problem error={tasks.error} />
        ) : tasks.data.tasks.length === 0 ? (
          <p>Nothing to pass on.</p>
        ) : (
          <Table caption="Open tasks, oldest first" head={['Recipient', 'What', 'Subject', 'Since', 'Done']}>
            {tasks.data.tasks.map((task) => (
              <tr key={task.id}>
                <td>{task.recipient}</td>
                <td>
                  {task.event}
                  {task.fields ? ` of ${task.fields.join(', ')}` : ''}
                </td>
                <td>
                  <code>{task.subjectId}</code>
                </td>
                <td>
                  <When at={task.createdAt} />
                </td>
                <td>
                  <button
                    type="button"
                    onClick={() => {
                      told.mutate(task.id);
                    }}
                    aria-label={`Mark the ${task.event} told to ${task.recipient}`}
                  >
                    Told
                  </button>
                </td>
              </tr>
            ))}
          </Table>
        )}
      </section>
      <section aria-labelledby="endpoints">
        <h2 id="endpoints">Webhooks</h2>
        {webhooks.isPending ? (
          <Loading what="webhooks" />
        ) : webhooks.isError ? (
          <Problem error={webhooks.error} />
        ) : webhooks.data.webhooks.length === 0 ? (
          <p>No recipient has registered a webhook.</p>
        ) : (
          <Table caption="Registered endpoints" head={['Recipient', 'URL', 'Since']}>
            {webhooks.data.webhooks.map((webhook) => (
              <tr key={webhook.id}>
                <td>{webhook.recipient}</td>
                <td>
                  <code>{webhook.url}</code>
                </td>
                <td>
                  <When at={webhook.createdAt} />
                </td>
              </tr>
            ))}
          </Table>
        )}
      </section>
      <section aria-labelledby="deliveries">
        <h2 id="deliveries">Deliveries</h2>
        {deliveries.isPending ? (
          <Loading what="deliveries" />
        ) : deliveries.isError ? (
          <Problem error={deliveries.error} />
        ) : deliveries.data.deliveries.length === 0 ? (
          <p>No notice has been sent.</p>
        ) : (
          <Table caption="Recent deliveries with their attempts" head={['Recipient', 'Notice', 'Status', 'Attempts', 'Next attempt', 'Delivered']}>
            {deliveries.data.deliveries.map((delivery) => (
              <tr key={delivery.id}>
                <td>{delivery.recipient}</td>
                <td>{delivery.event}</td>
                <td>{delivery.status}</td>
                <td>
                  {delivery.attempts.length === 0
                    ? 'none yet'
                    : delivery.attempts.map((attempt) => (
                        <span key={attempt.at} className="attempt">
                          <When at={attempt.at} />: {attempt.statusCode ?? attempt.error}
                        </span>
                      ))}
                </td>
                <td>
                  <When at={delivery.nextAttemptAt} />
                </td>
                <td>
                  <When at={delivery.deliveredAt} />
                </td>
              </tr>
            ))}
          </Table>
        )}
      </section>
    </>
  );
}
