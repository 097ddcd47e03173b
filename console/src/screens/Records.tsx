/**
 * Disclosures and records of processing: the register of every disclosure (what went to
 * whom, why, how many people), and the records of processing (GDPR art. 30), each activity
 * with its categories, recipients and transfers as the store holds them, in CSV and Markdown too.
 */
import { useMutation, useQuery } from '@tanstack/react-query';
import { answer, api } from '../api/client';
import { saveFile } from '../api/save-file';
import { Pager, useCursorPages } from '../ui/pages';
import { Loading, Problem, ScreenTitle, Table, When } from '../ui/parts';

function DisclosureRegister() {
  const pages = useCursorPages<string>();
  const after = pages.current;
  const register = useQuery({ queryKey: ['disclosures', after], queryFn: () => answer(api.GET('/v1/disclosures', { params: { query: { limit: 20, ...(after ? { after } : {}) } } })) });
  return (
    <section aria-labelledby="disclosures">
      <h2 id="disclosures">Disclosures</h2>
      {register.isPending ? (
        <Loading what="the disclosures" />
      ) : register.isError ? (
        <Problem error={register.error} />
      ) : register.data.disclosures.length === 0 ? (
        <p>Nothing has been disclosed.</p>
      ) : (
        <Table caption="Every disclosure, newest first" head={['When', 'Recipient', 'Purpose', 'Categories', 'People', 'Kind', 'Manifest']}>
          {register.data.disclosures.map((disclosure) => (
            <tr key={disclosure.id}>
              <td>
                <When at={disclosure.at} />
              </td>
              <td>{disclosure.recipient}</td>
              <td>{disclosure.purpose}</td>
              <td>{disclosure.categories.join(', ')}</td>
              <td>{disclosure.subjectCount}</td>
              <td>{disclosure.kind}</td>
              <td>
                <code>{disclosure.manifestHash.slice(0, 12)}…</code>
              </td>
            </tr>
          ))}
        </Table>
      )}
      <Pager pages={pages} next={register.data?.next} labels={['Newer', 'Older']} />
    </section>
  );
}

export function Records() {
  const ropa = useQuery({ queryKey: ['ropa'], queryFn: () => answer(api.GET('/v1/ropa', { params: { query: { format: 'json' } } })) });
  const download = useMutation({
    mutationFn: async (format: 'csv' | 'md') => {
      await saveFile(api.GET('/v1/ropa', { params: { query: { format } }, parseAs: 'blob' }), `records-of-processing.${format}`);
    },
  });
  const shown = ropa.data !== undefined && typeof ropa.data !== 'string' ? ropa.data : undefined;
  return (
    <>
      <ScreenTitle title="Disclosures and records">Disclosures and records of processing</ScreenTitle>
      <DisclosureRegister />
      <h2 id="ropa">Records of processing</h2>
      <div className="bar">
        <button type="button" onClick={() => { download.mutate('csv'); }}>Download CSV</button>
        <button type="button" className="quiet" onClick={() => { download.mutate('md'); }}>Download Markdown</button>
      </div>
      <Problem error={download.error} />
      {ropa.isPending ? (
        <Loading what="the records" />
      ) : ropa.isError ? (
        <Problem error={ropa.error} />
      ) : shown ? (
        <>
          <p>
            Controller: {shown.controller.name} ({shown.controller.contactEmail}); policy version {shown.policyVersion ?? '—'}; generated <When at={shown.generatedAt} />.
          </p>
          {shown.activities.map((activity) => (
            <section key={activity.purpose} aria-labelledby={`activity-${activity.purpose}`}>
              <h3 id={`activity-${activity.purpose}`}>{activity.description}</h3>
              <p>
                Legal basis: {activity.legalBasis}. About: {activity.dataSubjects.join(', ')}.
              </p>
              <Table caption={`Data of “${activity.purpose}”`} head={['Category', 'Retention', 'Records held']}>
                {activity.dataCategories.map((category) => (
                  <tr key={category.id}>
                    <td>{category.name}</td>
                    <td>
                      {category.retention} from {category.retentionFrom}
                    </td>
                    <td>{category.records}</td>
                  </tr>
                ))}
              </Table>
              {activity.recipients.length > 0 && (
                <Table caption={`Recipients of “${activity.purpose}”`} head={['Recipient', 'Kind', 'Countries']}>
                  {activity.recipients.map((recipient) => (
                    <tr key={recipient.id}>
                      <td>{recipient.name}</td>
                      <td>{recipient.kind}</td>
                      <td>{recipient.countries.join(', ')}</td>
                    </tr>
                  ))}
                </Table>
              )}
            </section>
          ))}
          <section aria-labelledby="routes">
            <h3 id="routes">Transfers recorded</h3>
            {shown.transfersRecorded.length === 0 ? (
              <p>No transfer across a border has been recorded.</p>
            ) : (
              <Table caption="Routes the data took" head={['From', 'To', 'Safeguard', 'At collection', 'In disclosures', 'People']}>
                {shown.transfersRecorded.map((route) => (
                  <tr key={`${route.from}-${route.to}-${route.safeguard}`}>
                    <td>{route.from}</td>
                    <td>{route.to}</td>
                    <td>{route.safeguard}</td>
                    <td>{route.atCollection}</td>
                    <td>{route.inDisclosures}</td>
                    <td>{route.subjects}</td>
                  </tr>
                ))}
              </Table>
            )}
          </section>
        </>
      ) : null}
    </>
  );
}
