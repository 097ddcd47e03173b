import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runCli } from '../src/cli/run-cli.js';
import { loadConfig } from '../src/config.js';
import { openStore } from '../src/store/open-store.js';
import { createTestDatabase, describeEachDatabase, ensureStore, type TestDatabase } from './support/databases.js';
import { examplePolicy, fixture } from './support/fixtures.js';

async function vow(database: TestDatabase, ...argv: string[]) {
  await ensureStore(database);
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, database.config(), { out: (text) => out.push(text), err: (text) => err.push(text) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describeEachDatabase('the vow command', (database) => {
  it('checks a declaration: OK with counts, or every problem with file:line and a non-zero exit', async () => {
    const ok = await vow(database(), 'policy', 'check');
    expect(ok).toMatchObject({ code: 0, out: expect.stringMatching(/^OK .*examples\/airobotics\/vow\.policy\.yaml: \d+ categories/) as unknown });

    const broken = await vow(database(), 'policy', 'check', fixture('broken-references.policy.yaml'));
    expect(broken.code).toBe(1);
    expect(broken.err).toContain('broken-references.policy.yaml:24:34: categories[0].purposes[1]: undeclared purpose "profiling"');
    expect(broken.err).toContain('choices[0].requires[0]: undeclared category "profile"');
    expect(broken.err).toMatch(/has 5 problems/);

    const missing = await vow(database(), 'policy', 'check', 'nowhere.yaml');
    expect(missing).toMatchObject({ code: 1, err: 'declaration nowhere.yaml: no such file' });
  });

  it('renders the policy as Markdown or HTML', async () => {
    const md = await vow(database(), 'policy', 'render', '--format', 'md');
    expect(md.code).toBe(0);
    expect(md.out).toMatch(/^# /m);
    expect(md.out).toContain('jade.cong@qq.com');
    const html = await vow(database(), 'policy', 'render', fixture('minimal.policy.yaml'), '--format', 'html');
    expect(html.code).toBe(0);
    expect(html.out).toMatch(/^<!doctype html>/i);
    expect(html.out).toContain('Tiny Shop');
    const bad = await vow(database(), 'policy', 'render', '--format', 'pdf');
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/--format.*pdf.*(md|html)/s);
  });

  it('publishes only changed content, diffs versions, renders an old one, and audits it all', async () => {
    expect((await vow(database(), 'policy', 'publish', examplePolicy)).out).toMatch(/^published version 1 sha256:[0-9a-f]{64}$/);
    expect((await vow(database(), 'policy', 'publish', examplePolicy, '--material')).out).toMatch(/^unchanged: version 1/);
    expect((await vow(database(), 'policy', 'publish', fixture('minimal.policy.yaml'), '--material')).out).toMatch(/^published version 2 \(material\)/);

    const diff = await vow(database(), 'policy', 'diff', '1', '2');
    expect(diff.code).toBe(0);
    expect(diff.out).toContain('~ organization.contactEmail: "jade.cong@qq.com" → "privacy@tiny.example"');
    expect(diff.out).toContain('~ minimumAge: 13 → 16');
    const fileDiff = await vow(database(), 'policy', 'diff', fixture('minimal.policy.yaml'), '2');
    expect(fileDiff.out).toBe('no changes');
    expect(await vow(database(), 'policy', 'diff', '1', '9')).toMatchObject({ code: 1, err: 'policy version 9 does not exist' });

    const old = await vow(database(), 'policy', 'render', '--version', '1');
    expect(old.out).toContain('AIRobotics');
    expect(await vow(database(), 'policy', 'render', '--version', 'x')).toMatchObject({ code: 2 });

    expect(await vow(database(), 'audit', 'verify')).toMatchObject({ code: 0, out: expect.stringMatching(/^OK 2 records, head sha256:/) as unknown });
  });

  it('reports the first broken audit record and exits non-zero', async () => {
    await vow(database(), 'policy', 'publish', examplePolicy);
    await vow(database(), 'policy', 'publish', fixture('minimal.policy.yaml'));
    const store = await openStore(database().config());
    await store.db.updateTable('audit_log').set({ actor: 'someone-else' }).where('seq', '=', 1).execute();
    await store.close();
    expect(await vow(database(), 'audit', 'verify')).toEqual({
      code: 1,
      out: '',
      err: 'BROKEN at record 1: record 1 was altered (its hash does not match its content)',
    });
  });
});

describe('the installed vow binary', () => {
  const bin = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));

  it('exits non-zero with a message, not a stack trace, on a broken declaration', () => {
    const result = spawnSync(process.execPath, [bin, 'policy', 'check', fixture('broken-schema.policy.yaml')], { encoding: 'utf8' });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('organization.contactEmail: must be an e-mail address');
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('serves, prints where the policy, the demo, the API document and the rest are, and shuts down gracefully on SIGTERM', async () => {
    const database = await createTestDatabase('sqlite');
    try {
      const child = spawn(process.execPath, [bin, 'serve'], {
        env: { ...process.env, PORT: '0', HOST: '127.0.0.1', VOW_DATA_DIR: database.dataDir, LOG_LEVEL: 'silent', DATABASE_URL: '' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      const url = await new Promise<string>((resolve, reject) => {
        child.stdout.on('data', (chunk: Buffer) => {
          output += chunk.toString();
          const match = /open (http:\/\/\S+\/privacy)/.exec(output);
          if (match?.[1] && output.includes('everything')) resolve(match[1]);
        });
        child.once('exit', () => {
          reject(new Error(`server exited early: ${output}`));
        });
      });
      const page = await fetch(url);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('AIRobotics Group');
      const origin = url.replace(/\/privacy$/, '');
      const printed: [string, string][] = [['demo site', '/demo/'], ['API document', '/openapi.json'], ['health check', '/healthz'], ['everything', '/']];
      for (const [name, path] of printed) {
        expect(output).toMatch(new RegExp(`  ${name} +${origin}${path.replace('.', '\\.')}\\n`));
      }
      // The home page links every one of them.
      const home = await (await fetch(`${origin}/`)).text();
      for (const path of ['/privacy', '/demo/', '/openapi.json', '/healthz']) expect(home).toContain(`<a href="${path}">`);
      child.kill('SIGTERM');
      const [code] = (await once(child, 'exit')) as [number | null];
      expect(code).toBe(0);
    } finally {
      await database.cleanup();
    }
  });
});

describe('the vow command in the wrong folder', () => {
  it('never makes a store it was not asked for: it names where it looked and how to point elsewhere, and exits non-zero', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'vow-elsewhere-'));
    try {
      const err: string[] = [];
      const code = await runCli(['keys', 'list'], loadConfig({ VOW_DATA_DIR: join(empty, '.vow'), LOG_LEVEL: 'silent' }), { out: () => undefined, err: (text) => err.push(text) });
      expect(code).toBe(1);
      expect(err.join('\n')).toContain(`no Vow data here: ${join(empty, '.vow', 'vow.db')} does not exist`);
      expect(err.join('\n')).toContain('VOW_DATA_DIR');
      expect(existsSync(join(empty, '.vow'))).toBe(false);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });

  it('says its version', async () => {
    const out: string[] = [];
    expect(await runCli(['--version'], loadConfig({ LOG_LEVEL: 'silent' }), { out: (text) => out.push(text), err: () => undefined })).toBe(0);
    expect(out.join('').trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });
});
