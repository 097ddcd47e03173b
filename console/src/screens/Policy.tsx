/**
 * The policy: every published version and a readable diff between any two; a new
 * declaration previewed (its problems, its changes, the page and the banner it gives)
 * before it is published, with the material flag.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type ChangeEvent } from 'react';
import { answer, api } from '../api/client';
import { useSession } from '../api/session';
import { Done, Field, Loading, Problem, ScreenTitle, Table, When } from '../ui/parts';

export function Policy() {
  const session = useSession();
  return (
    <>
      <ScreenTitle title="Policy">Policy</ScreenTitle>
      <Versions />
      {session.may('policy:publish') && <Publish />}
    </>
  );
}

/** A changed value as a person reads it: text as it is, anything else as compact JSON. */
const shown = (value: unknown) => (value === undefined ? '' : typeof value === 'string' ? value : JSON.stringify(value));

function Changes({ changes }: { changes: readonly { kind: string; path: string; before?: unknown; after?: unknown }[] }) {
  if (changes.length === 0) return <p>Nothing the page states changes.</p>;
  return (
    <Table caption="What changes" head={['Change', 'Where', 'Before', 'After']}>
      {changes.map((change) => (
        <tr key={`${change.kind}-${change.path}`}>
          <td>{change.kind}</td>
          <td>
            <code>{change.path}</code>
          </td>
          <td>{shown(change.before)}</td>
          <td>{shown(change.after)}</td>
        </tr>
      ))}
    </Table>
  );
}

function Versions() {
  const versions = useQuery({ queryKey: ['policy', 'versions'], queryFn: () => answer(api.GET('/v1/policy/versions')) });
  const [pair, setPair] = useState<{ from: number; to: number }>();
  const diff = useQuery({
    queryKey: ['policy', 'diff', pair],
    queryFn: () => answer(api.GET('/v1/policy/diff', { params: { query: pair ?? { from: 1, to: 1 } } })),
    enabled: pair !== undefined,
  });
  if (versions.isPending) return <Loading what="the versions" />;
  if (versions.isError) return <Problem error={versions.error} />;
  const list = versions.data.versions;
  return (
    <section aria-labelledby="versions">
      <h2 id="versions">Published versions</h2>
      <Table caption="Every version, newest first" head={['Version', 'Published', 'Material', 'Changes']}>
        {list.map((version, index) => {
          const before = list[index + 1];
          return (
            <tr key={version.number}>
              <td>
                <a href={`/privacy?version=${version.number}`}>v{version.number}</a>
              </td>
              <td>
                <When at={version.publishedAt} />
              </td>
              <td>{version.material ? 'yes: announced' : 'no'}</td>
              <td>
                {before ? (
                  <button
                    type="button"
                    className="quiet"
                    onClick={() => {
                      setPair({ from: before.number, to: version.number });
                    }}
                  >
                    What changed from v{before.number}
                  </button>
                ) : (
                  <span className="muted">the first</span>
                )}
              </td>
            </tr>
          );
        })}
      </Table>
      {pair && (
        <div role="region" aria-label={`Changes from v${pair.from} to v${pair.to}`}>
          <h3>
            From v{pair.from} to v{pair.to}
          </h3>
          {diff.isPending ? <Loading what="the changes" /> : diff.isError ? <Problem error={diff.error} /> : <Changes changes={diff.data.changes} />}
        </div>
      )}
    </section>
  );
}

function Publish() {
  const queries = useQueryClient();
  const [text, setText] = useState('');
  const [material, setMaterial] = useState(false);
  const [done, setDone] = useState<string>();
  const preview = useMutation({ mutationFn: () => answer(api.POST('/v1/policy/preview', { body: { declaration: text, material } })) });
  const publish = useMutation({
    mutationFn: () => answer(api.POST('/v1/policy/versions', { body: { declaration: text, material } })),
    onSuccess: async (outcome) => {
      setDone(outcome.published ? `Version ${outcome.version.number} is published and in force.` : `Nothing was published: this is the content of version ${outcome.version.number}.`);
      preview.reset();
      await queries.invalidateQueries({ queryKey: ['policy'] });
    },
  });
  const readFile = async (event: ChangeEvent<HTMLInputElement>) => {
    const file = event.target.files?.[0];
    if (file) {
      setText(await file.text());
      preview.reset();
    }
  };
  const result = preview.data;
  return (
    <section aria-labelledby="publish">
      <h2 id="publish">Publish a new version</h2>
      {done && <Done key={done}>{done}</Done>}
      <Field label="The declaration file (vow.policy.yaml)">{(props) => <input {...props} type="file" accept=".yaml,.yml,text/yaml" onChange={(event) => void readFile(event)} />}</Field>
      <Field label="Or its text" hint="Edit it here; the preview shows what would change before anything is published.">
        {(props) => (
          <textarea
            {...props}
            className="code"
            rows={10}
            value={text}
            spellCheck={false}
            onChange={(event) => {
              setText(event.target.value);
              preview.reset();
            }}
          />
        )}
      </Field>
      <label className="check">
        <input
          type="checkbox"
          checked={material}
          onChange={(event) => {
            setMaterial(event.target.checked);
            preview.reset();
          }}
        />{' '}
        A material change: people are told, and consent given under the older version is asked again
      </label>
      <div className="bar">
        <button
          type="button"
          disabled={text.trim() === '' || preview.isPending}
          onClick={() => {
            setDone(undefined);
            preview.mutate();
          }}
        >
          Preview
        </button>
      </div>
      <Problem error={preview.error ?? publish.error} />
      {result && !result.ok && (
        <div className="problem" role="alert">
          <p>The declaration has {result.problems.length === 1 ? 'a problem' : `${result.problems.length} problems`}; it cannot be published:</p>
          <ul>
            {result.problems.map((problem) => (
              <li key={`${problem.path}:${problem.line ?? ''}:${problem.message}`}>
                {problem.line !== undefined ? `line ${problem.line}: ` : ''}
                {problem.path ? <code>{problem.path}</code> : null} {problem.message}
              </li>
            ))}
          </ul>
        </div>
      )}
      {result?.ok && (
        <div role="region" aria-label="Preview">
          <h3 tabIndex={-1}>{result.unchanged ? 'This is the version in force' : 'Preview of the next version'}</h3>
          <Changes changes={result.changes ?? []} />
          {result.warnings.length > 0 && (
            <ul className="warnings">
              {result.warnings.map((warning) => (
                <li key={`${warning.path}:${warning.message}`}>{warning.message}</li>
              ))}
            </ul>
          )}
          <h4>The banner</h4>
          <div className="banner-preview">
            <p>
              <strong>{result.banner?.strings.title}</strong>
            </p>
            <p>{result.banner?.strings.intro}</p>
            <ul>
              {result.banner?.categories.map((category) => (
                <li key={category.id}>
                  <strong>{category.name}</strong>
                  {category.necessary ? ' (always on)' : ''}: {category.description}
                </li>
              ))}
            </ul>
          </div>
          <h4>The page</h4>
          {/* No scripts, no same-origin: the preview can read or run nothing. */}
          <iframe className="page-preview" title="The policy page as it would be published" sandbox="" srcDoc={result.page} />
          <div className="bar">
            <button
              type="button"
              disabled={publish.isPending || result.unchanged === true}
              onClick={() => {
                publish.mutate();
              }}
            >
              Publish{material ? ' as a material change' : ''}
            </button>
          </div>
        </div>
      )}
    </section>
  );
}
