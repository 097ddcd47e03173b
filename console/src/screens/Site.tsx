/** The live site against the declaration: the latest `vow scan` reports and what each found that the page does not say. */
import { useQuery } from '@tanstack/react-query';
import { answer, api } from '../api/client';
import { Loading, Problem, ScreenTitle, Table, When } from '../ui/parts';

const kinds: Readonly<Record<string, string>> = {
  'undeclared-cookie': 'a cookie the policy does not declare',
  'cookie-before-consent': 'a cookie set before consent',
  'cookie-after-refusal': 'a cookie kept after a refusal',
  'undeclared-third-party': 'a host no declared recipient owns',
  'declared-never-seen': 'declared, never seen (a notice)',
};

export function Site() {
  const scans = useQuery({ queryKey: ['site-scans'], queryFn: () => answer(api.GET('/v1/site/scans', { params: { query: { limit: 10 } } })) });
  return (
    <>
      <ScreenTitle title="Site">The live site</ScreenTitle>
      <p className="hint">
        Each report is a <code>vow scan</code> of the site in Chromium: before any choice, after “reject all”, after “accept all”, and with Global Privacy Control on.
      </p>
      {scans.isPending ? (
        <Loading what="the scans" />
      ) : scans.isError ? (
        <Problem error={scans.error} />
      ) : scans.data.scans.length === 0 ? (
        <p>
          No scan has been recorded. Run <code>vow scan https://www.example.com/</code> where this store is.
        </p>
      ) : (
        <>
          <Table caption="The latest scans, newest first" head={['Site', 'Scanned', 'Pages', 'Policy', 'Verdict', 'Findings']}>
            {scans.data.scans.map((scan) => (
              <tr key={scan.id}>
                <td>{scan.site}</td>
                <td>
                  <When at={scan.scannedAt} />
                </td>
                <td>{scan.pages}</td>
                <td>{scan.policyVersion === null ? '—' : `v${scan.policyVersion}`}</td>
                <td className={scan.failed ? 'overdue' : undefined}>{scan.failed ? 'drift found' : 'no drift'}</td>
                <td>{scan.drift.length}</td>
              </tr>
            ))}
          </Table>
          {scans.data.scans.slice(0, 1).map((latest) => (
            <section key={latest.id} aria-labelledby="latest">
              <h2 id="latest">What the latest scan found</h2>
              {latest.drift.length === 0 ? (
                <p>The site does what the policy says.</p>
              ) : (
                <Table caption={`Findings on ${latest.site}`} head={['Finding', 'Of', 'Pass', 'Page', 'Set by']}>
                  {latest.drift.map((item, index) => (
                    <tr key={`${item.kind}-${item.subject}-${index}`}>
                      <td>{kinds[item.kind] ?? item.kind}</td>
                      <td>
                        <code>{item.subject}</code>
                      </td>
                      <td>{item.pass ?? '—'}</td>
                      <td>{item.page ?? '—'}</td>
                      <td>{item.setBy ?? '—'}</td>
                    </tr>
                  ))}
                </Table>
              )}
            </section>
          ))}
        </>
      )}
    </>
  );
}
