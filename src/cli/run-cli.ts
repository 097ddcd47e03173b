/** The `vow` command line: parses arguments, runs one command, returns its exit code. */
import { readFileSync } from 'node:fs';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { roles } from '../auth/role.js';
import type { Config } from '../config.js';
import { formatProblem, VowError } from '../errors.js';
import { renderFormats, type RenderFormat } from '../policy/render-policy.js';
import { auditCheckpointCommand, auditVerifyCommand } from './audit-verify.command.js';
import { interactionKinds, platforms } from '../vault/social/parse-social-export.js';
import { importSocialCommand, type ImportSocialOptions } from './import-social.command.js';
import { ropaFormats, type RopaFormat } from '../disclosures/render-ropa.js';
import type { Io } from './io.js';
import { ropaCommand } from './ropa.command.js';
import { transferBusinessCommand } from './transfer-business.command.js';
import { keysIssueCommand, type KeysIssueOptions } from './keys-issue.command.js';
import { keysListCommand } from './keys-list.command.js';
import { keysRevokeCommand } from './keys-revoke.command.js';
import { keysRotateCommand } from './keys-rotate.command.js';
import { policyCheckCommand } from './policy-check.command.js';
import { policyDiffCommand } from './policy-diff.command.js';
import { policyNotifyCommand } from './policy-notify.command.js';
import { policyPublishCommand } from './policy-publish.command.js';
import { policyRenderCommand } from './policy-render.command.js';
import { retentionRunCommand } from './retention-run.command.js';
import { outboxCommand } from './outbox.command.js';
import {
  requestApproveCommand,
  requestCompleteCommand,
  requestTaskDoneCommand,
  requestDenyCommand,
  requestExtendCommand,
  requestFileCommand,
  requestListCommand,
  requestShowCommand,
  type RequestFileOptions,
} from './request.command.js';
import { requestKinds } from '../requests/request.js';
import { exportCommand } from './export.command.js';
import { reportsConfirmCommand, reportsDismissCommand, reportsListCommand } from './reports.command.js';
import { reportStatuses, type ReportStatus } from '../children/read-child-reports.js';
import { backupCommand } from './backup.command.js';
import { restoreCommand } from './restore.command.js';
import { recipientTaskDoneCommand, recipientTasksCommand } from './recipient-tasks.command.js';
import { webhooksListCommand } from './webhooks-list.command.js';
import { accountsCloseCommand } from './accounts.command.js';
import { serveCommand } from './serve.command.js';
import { systemsCheckCommand, type SystemsCheckOptions } from './systems-check.command.js';
import { systemsDiscoverCommand, type SystemsDiscoverOptions } from './systems-discover.command.js';
import { systemsPlacesCommand } from './systems-places.command.js';
import { scanCommand, type ScanOptions } from './scan.command.js';
import { staffCreateCommand, staffRemoveSecondFactorCommand, type StaffCreateOptions } from './staff.command.js';
import { breachesListCommand, breachesRecordCommand, breachesShowCommand, breachesStepCommand, type BreachRecordOptions } from './breaches.command.js';
import { statsCommand, statsPublishedCommand, type StatsOptions } from './stats.command.js';
import { dimensions, measures } from '../stats/release-query.js';

function positiveInteger(text: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < 1) throw new InvalidArgumentError('must be a positive whole number');
  return value;
}

function nonNegativeInteger(text: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < 0 || value > 10_000) throw new InvalidArgumentError('must be a whole number from 0 to 10000');
  return value;
}

/** Vow's own version, from its package.json (beside `src/` and `dist/` alike). */
const packageVersion = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

export async function runCli(argv: readonly string[], config: Config, io: Io): Promise<number> {
  let exitCode = 0;
  // Only `vow serve` (and `vow restore`) make a store; every other command run in the wrong
  // folder says where it looked, instead of answering from a new, empty one.
  const existing: Config = { ...config, createStore: false };
  const run = (command: () => Promise<number>) => async () => {
    exitCode = await command();
  };

  const program = new Command('vow')
    .description('Privacy operations: your privacy policy, declared once, rendered, versioned and enforced.')
    .version(packageVersion, '--version', 'print the version of Vow')
    // `vow --version` is Vow's; `vow policy render --version N` stays the command's own.
    .enablePositionalOptions()
    .exitOverride()
    .configureOutput({ writeOut: io.out, writeErr: io.err })
    .showHelpAfterError();

  program
    .command('serve')
    .description('start the HTTP server (PORT, HOST, VOW_DATA_DIR, DATABASE_URL, VOW_POLICY)')
    .action(run(() => serveCommand(config, io)));

  const policy = program.command('policy').description('check, render, publish and compare the declaration');
  policy
    .command('check')
    .argument('[file]', 'declaration (default: VOW_POLICY or the example)')
    .description('validate a declaration and list every problem with its place in the file')
    .action((file: string | undefined) => run(() => policyCheckCommand(existing, io, file))());
  policy
    .command('render')
    .argument('[file]', 'declaration (default: VOW_POLICY or the example)')
    .addOption(new Option('--format <format>', 'output format').choices(renderFormats).default('md'))
    .option('--version <n>', 'render a published version instead of a file', positiveInteger)
    .description('print the policy page generated from a declaration')
    .action((file: string | undefined, options: { format: RenderFormat; version?: number }) =>
      run(() => policyRenderCommand(existing, io, file, options))(),
    );
  policy
    .command('publish')
    .argument('[file]', 'declaration (default: VOW_POLICY or the example)')
    .option('--material', 'the change is material: subjects must be told', false)
    .option('--rollback <n>', 'publish the content of published version N again, as the new version in force', positiveInteger)
    .description('record a new version in force when the content changed; running servers enforce it within seconds')
    .action((file: string | undefined, options: { material: boolean; rollback?: number }) => run(() => policyPublishCommand(existing, io, file, options))());
  policy
    .command('diff')
    .argument('<a>', 'a published version number or a declaration file')
    .argument('<b>', 'a published version number or a declaration file')
    .description('show what changed from A to B')
    .action((a: string, b: string) => run(() => policyDiffCommand(existing, io, a, b))());
  policy
    .command('notify')
    .option('--batch <n>', 'account holders per transaction', positiveInteger, 100)
    .description('tell account holders of the latest material version now (the server also does it, in batches)')
    .action((options: { batch: number }) => run(() => policyNotifyCommand(existing, io, options))());

  const systems = program.command('systems').description("the company's own databases and services that requests reach");
  systems
    .command('check')
    .argument('[file]', 'declaration (default: VOW_POLICY or the example)')
    .option('--system <id>', 'only this declared system')
    .description('connect read-only to each declared database and report drift: declared tables or columns missing, personal-looking columns undeclared')
    .action((file: string | undefined, options: SystemsCheckOptions) => run(() => systemsCheckCommand(existing, io, file, options))());
  systems
    .command('places')
    .description("list every place a subject's data lives (Vow, each declared system, each recipient) and how access, erasure and correction reach it")
    .action(() => run(() => systemsPlacesCommand(existing, io))());
  systems
    .command('discover')
    .addOption(new Option('--engine <engine>', 'the database engine').choices(['postgres', 'mysql']).makeOptionMandatory())
    .requiredOption('--url <url>', 'the database URL (read-only is enough; it is never printed)')
    .option('--sample <n>', 'values read per column to recognise its kind (never printed); 0 reads none', nonNegativeInteger, 100)
    .option('--policy <file>', 'the declaration whose categories the columns are mapped to (default: VOW_POLICY or the example)')
    .option('--id <id>', "the proposed system's id (default: from the database name)")
    .description('introspect a database and print a proposed systems entry, in YAML, for a person to review')
    .action((options: SystemsDiscoverOptions) => run(() => systemsDiscoverCommand(existing, io, options))());

  const staff = program.command('staff').description('console accounts of the staff');
  staff
    .command('create')
    .requiredOption('--email <address>', 'the e-mail address they sign in with')
    .requiredOption('--role <role>', 'admin, privacy-officer, support or auditor')
    .option('--purpose <id...>', 'the purposes they may read data for (support, auditor)')
    .requiredOption('--password-file <file>', `a file holding the password (at least 12 characters)`)
    .description('create a staff account (the first admin is made this way)')
    .action((options: StaffCreateOptions) => run(() => staffCreateCommand(existing, io, options))());
  staff
    .command('remove-second-factor')
    .requiredOption('--email <address>', 'the e-mail address of the account')
    .description('take away an account’s second factor (a lost phone) and end its sessions; it can add a new one once signed in')
    .action((options: { email: string }) => run(() => staffRemoveSecondFactorCommand(existing, io, options.email))());

  const breaches = program.command('breaches').description('the register of personal data breaches, its clocks and notices');
  breaches.command('list').description('every breach, newest discovery first, with its clocks').action(() => run(() => breachesListCommand(existing, io))());
  breaches
    .command('show')
    .argument('<id>', 'the breach (brc_…)')
    .option('--notices', 'print the drafts of the notices too', false)
    .description('one breach: what happened, whom it affected, each clock')
    .action((id: string, options: { notices: boolean }) => run(() => breachesShowCommand(existing, io, id, options))());
  breaches
    .command('record')
    .requiredOption('--title <text>', 'a short name')
    .requiredOption('--description <text>', 'what happened')
    .requiredOption('--began <when>', 'when it began (ISO 8601)')
    .requiredOption('--discovered <when>', 'when it was discovered (ISO 8601): the clocks run from here')
    .addOption(new Option('--risk <risk>', 'high: the people affected must be told').choices(['low', 'high']).makeOptionMandatory())
    .requiredOption('--category <id...>', 'the declared data categories affected')
    .option('--subject <id...>', 'the people affected, by subject id')
    .option('--with-category <id>', 'everyone holding records of this declared category')
    .requiredOption('--consequences <text>', 'the likely consequences')
    .requiredOption('--measures <text>', 'the measures taken or proposed')
    .description('record a breach (audited)')
    .action((options: BreachRecordOptions) => run(() => breachesRecordCommand(existing, io, options))());
  breaches
    .command('notify-subjects')
    .argument('<id>', 'the breach')
    .description('send the people affected their notice, once, through the outbox')
    .action((id: string) => run(() => breachesStepCommand(existing, io, id, 'notify-subjects'))());
  breaches
    .command('authority-notified')
    .argument('<id>', 'the breach')
    .option('--reference <text>', "the authority's reference")
    .description('mark the supervisory authority notified')
    .action((id: string, options: { reference?: string }) => run(() => breachesStepCommand(existing, io, id, 'authority-notified', options))());
  breaches
    .command('close')
    .argument('<id>', 'the breach')
    .description('close a breach; it stays in the register')
    .action((id: string) => run(() => breachesStepCommand(existing, io, id, 'close'))());

  program
    .command('scan')
    .argument('<url>', "the site's start page")
    .option('--pages <n>', 'pages to visit, crawled from the start page on the same origin', positiveInteger, 20)
    .option('--out <dir>', 'where report.json, report.html and the screenshots go', 'vow-scan')
    .option('--policy <file>', 'the declaration to hold the site against (default: VOW_POLICY or the example)')
    .option('--vow <host...>', "the host serving Vow's SDK and API, when not found from the page")
    .option('--strict', 'also fail on what is declared but never seen', false)
    .option('--chromium <path>', 'the Chromium to drive', '/usr/bin/chromium')
    .option('--host-rule <host...>', 'host names to resolve to 127.0.0.1 (local sites)')
    .description('crawl the live site in headless Chromium before any choice, after reject all, after accept all and with GPC, and report drift from the declaration (exit 1)')
    .action((url: string, options: ScanOptions) => run(() => scanCommand(existing, io, url, options))());

  program
    .command('export')
    .argument('<subject>', 'the subject id (sub_…)')
    .argument('<file>', 'where to write the zip (mode 0600)')
    .description('write everything held about a subject: JSON and CSV per part and a readable summary (audited)')
    .action((subject: string, file: string) => run(() => exportCommand(existing, io, subject, file))());
  const reports = program.command('reports').description("reports that a child under the minimum age provided data");
  reports
    .command('list')
    .addOption(new Option('--status <status>', 'only reports in this state').choices(reportStatuses))
    .description('list reports, newest first')
    .action((options: { status?: ReportStatus }) => run(() => reportsListCommand(existing, io, options))());
  reports
    .command('confirm')
    .argument('<id>', 'the report id (rep_…)')
    .option('--subject <id>', 'the account found by review, when the report named no known one')
    .description("confirm: erase the child's data (recipients notified) and tell the reporter")
    .action((id: string, options: { subject?: string }) => run(() => reportsConfirmCommand(existing, io, id, options))());
  reports
    .command('dismiss')
    .argument('<id>', 'the report id (rep_…)')
    .requiredOption('--reason <text>', 'why the report is dismissed')
    .description('dismiss with a reason; the reporter is told')
    .action((id: string, options: { reason: string }) => run(() => reportsDismissCommand(existing, io, id, options))());

  const request = program.command('request').description('data-subject requests: access, correction, deletion, opt-out, questions');
  const collect = (value: string, previous: string[]) => [...previous, value];
  request
    .command('file')
    .addOption(new Option('--kind <kind>', 'what is asked').choices(requestKinds).makeOptionMandatory())
    .option('--email <address>', 'the requester: a code is sent there to verify the request')
    .option('--subject <id>', 'file for a known subject (sub_…)')
    .option('--verification <text>', 'how the identity was checked (marks the request verified)')
    .option('--details <text>', 'what the requester wrote')
    .option('--set <field=value>', 'a corrected account field (repeatable)', collect, [])
    .option('--jurisdiction <code>', 'gdpr, ccpa, or where the requester lives (FR, US-CA)')
    .description('file a request; its deadline runs from now')
    .action((options: RequestFileOptions) => run(() => requestFileCommand(existing, io, options))());
  request
    .command('list')
    .option('--due', 'only pending requests due within 7 days or overdue')
    .description('list requests, soonest due first')
    .action((options: { due?: boolean }) => run(() => requestListCommand(existing, io, options))());
  request
    .command('show')
    .argument('<id>', 'the request id (req_…)')
    .description('show a request, its contents and its log')
    .action((id: string) => run(() => requestShowCommand(existing, io, id))());
  request
    .command('approve')
    .argument('<id>', 'the request id (req_…)')
    .option('--verification <text>', 'how the identity was checked', 'identity confirmed by the operator')
    .description('confirm the requester’s identity by other means and open the request')
    .action((id: string, options: { verification: string }) => run(() => requestApproveCommand(existing, io, id, options))());
  request
    .command('deny')
    .argument('<id>', 'the request id (req_…)')
    .requiredOption('--reason <text>', 'why; sent to the requester')
    .description('refuse a request; the requester is told why')
    .action((id: string, options: { reason: string }) => run(() => requestDenyCommand(existing, io, id, options))());
  request
    .command('extend')
    .argument('<id>', 'the request id (req_…)')
    .requiredOption('--reason <text>', 'why more time is needed; sent to the requester')
    .description('extend the deadline once (GDPR +2 months, CCPA +45 days), inside the first period')
    .action((id: string, options: { reason: string }) => run(() => requestExtendCommand(existing, io, id, options))());
  request
    .command('complete')
    .argument('<id>', 'the request id (req_…)')
    .option('--answer <text>', 'the answer to a question')
    .option('--set <field=value>', 'a corrected field, replacing the requester’s (repeatable)', collect, [])
    .description('carry out a verified request and notify the requester')
    .action((id: string, options: { answer?: string; set?: string[] }) => run(() => requestCompleteCommand(existing, io, id, options))());
  request
    .command('task-done')
    .argument('<id>', 'the request id (req_…)')
    .argument('<task>', 'the task id (stk_…), as `vow request show` lists it')
    .requiredOption('--reason <text>', 'how it was done (kept sealed in the request log)')
    .description('confirm a declared system’s task done by other means; the last one completes the request')
    .action((id: string, task: string, options: { reason: string }) => run(() => requestTaskDoneCommand(existing, io, id, task, options))());
  program
    .command('outbox')
    .addOption(new Option('--status <status>', 'only messages in this state').choices(['pending', 'sent', 'failed']))
    .option('--limit <n>', 'how many messages, newest first', positiveInteger, 50)
    .description('print queued and sent mail, decrypted (send it by hand when no SMTP_URL is set)')
    .action((options: { status?: 'pending' | 'sent' | 'failed'; limit: number }) => run(() => outboxCommand(existing, io, options))());

  const audit = program.command('audit').description('the tamper-evident audit log');
  audit
    .command('verify')
    .option('--checkpoint <file>', 'a signed checkpoint kept outside the database: proves no record up to it was removed or rewritten')
    .description('check the hash chain; prints OK with the count, or the first broken record')
    .action((options: { checkpoint?: string }) => run(() => auditVerifyCommand(existing, io, options))());
  audit
    .command('checkpoint')
    .option('--out <file>', 'write it to this file (default: print it)')
    .description('sign the head of the chain now (it must verify), to keep outside the database')
    .action((options: { out?: string }) => run(() => auditCheckpointCommand(existing, io, options))());

  const retention = program.command('retention').description("delete data past its category's declared retention");
  retention
    .command('run')
    .description('run retention now (VOW_POLICY) and print the rows deleted per category')
    .action(run(() => retentionRunCommand(existing, io)));

  const accounts = program.command('accounts').description('account holders');
  accounts
    .command('close')
    .argument('<subject>', 'the subject id (sub_…)')
    .description('close an account: retention counted from account closure starts now')
    .action((subject: string) => run(() => accountsCloseCommand(existing, io, subject))());

  const keys = program.command('keys').description('API keys: issued for a role and purposes, shown once, stored hashed');
  keys
    .command('issue')
    .addOption(new Option('--role <role>', 'what the key may do').choices(roles).makeOptionMandatory())
    .option('--purpose <id>', 'a declared purpose the key may read for (repeatable)', (id: string, previous: string[]) => [...previous, id], [])
    .option('--label <text>', 'a note to tell keys apart (not audited)', '')
    .description('issue a key and print its secret once')
    .action((options: KeysIssueOptions) => run(() => keysIssueCommand(existing, io, options))());
  keys
    .command('list')
    .description('list keys (never their secrets) with role, purposes and status')
    .action(run(() => keysListCommand(existing, io)));
  keys
    .command('revoke')
    .argument('<id>', 'the key id (key_…), as listed or as in its secret vow_<id>_…')
    .description('revoke a key: it stops working at once')
    .action((id: string) => run(() => keysRevokeCommand(existing, io, id))());
  keys
    .command('rotate')
    .description('re-wrap every data key under a new master key (servers keep running)')
    .action(run(() => keysRotateCommand(existing, io)));

  program
    .command('import')
    .description('import data collected elsewhere')
    .command('social')
    .argument('<file>', 'an export of a social-media page: JSON, or CSV with a header row')
    .addOption(new Option('--platform <platform>', 'fills a missing platform column').choices(platforms))
    .addOption(new Option('--kind <kind>', 'fills a missing kind column').choices(interactionKinds))
    .addOption(new Option('--format <format>', 'json or csv (default: from the file name)').choices(['json', 'csv']))
    .description('import interactions (per person, encrypted) and analytics (as aggregates) from a social-media export')
    .action((file: string, options: ImportSocialOptions) => run(() => importSocialCommand(existing, io, file, options))());

  program
    .command('ropa')
    .description('print the records of processing activities (GDPR article 30)')
    .addOption(new Option('--format <format>', 'output format').choices(ropaFormats).default('md'))
    .action((options: { format: RopaFormat }) => run(() => ropaCommand(existing, io, options))());
  program
    .command('transfer-business')
    .description('export everything a declared acquirer may receive, signed, recorded as a disclosure of every subject')
    .requiredOption('--to <recipient>', 'the declared business-transfer recipient')
    .requiredOption('--out <dir>', 'folder for the export (written owner-only; it holds personal data)')
    .action((options: { to: string; out: string }) => run(() => transferBusinessCommand(existing, io, options))());

  const stats = program
    .command('stats')
    .description('release counts by dimensions with differential privacy, charged to the privacy budget of the events')
    .option('--dimensions <list>', `comma-separated, 1 to 3 of: ${dimensions.join(', ')}`)
    .option('--epsilon <epsilon>', 'the privacy cost charged to the budget, e.g. 0.5')
    .addOption(new Option('--measure <measure>', 'count events, or distinct subjects').choices(measures).default('count'))
    .option('--category <id>', 'only events of this category (e.g. usage-data)')
    .option('--name <name>', 'only events of this name (e.g. page_view)')
    .option('--from <day>', 'first day included, YYYY-MM-DD (UTC)')
    .option('--to <day>', 'last day included, YYYY-MM-DD (UTC)')
    .option('--min-subjects <k>', 'suppress cells with fewer subjects (default 10)', positiveInteger)
    .option('--max-cells <n>', 'cells one subject may count in (default 10)', positiveInteger)
    .option('--max-value <n>', 'the most one subject adds to one cell (default 10)', positiveInteger)
    .action((options: StatsOptions) => run(() => statsCommand(existing, io, options))());
  stats
    .command('published')
    .description('print released statistics, newest first, exactly as released')
    .option('--limit <n>', 'how many releases', positiveInteger, 20)
    .action((options: { limit: number }) => run(() => statsPublishedCommand(existing, io, options))());

  program
    .command('backup')
    .argument('<file>', 'where to write the backup (mode 0600)')
    .description('write a logical backup of every table (JSON lines; personal data only as ciphertext, no master key)')
    .action((file: string) => run(() => backupCommand(existing, io, file))());
  program
    .command('restore')
    .argument('<file>', 'a file written by vow backup')
    .description('replace the database content with a backup; subjects erased since stay erased')
    .action((file: string) => run(() => restoreCommand(config, io, file))());
  program
    .command('webhooks')
    .description('recipients\' webhook endpoints and their deliveries')
    .command('list')
    .description('list endpoints (never their secrets) with their latest deliveries and attempts')
    .option('--deliveries <n>', 'deliveries shown per endpoint', positiveInteger, 5)
    .action((options: { deliveries: number }) => run(() => webhooksListCommand(existing, io, options))());

  const recipients = program.command('recipients').description('telling recipients without a webhook of erasures and corrections');
  recipients
    .command('tasks')
    .addOption(new Option('--status <status>', 'only tasks in this state').choices(['open', 'done']))
    .description('list what staff must pass on to recipients that registered no webhook')
    .action((options: { status?: 'open' | 'done' }) => run(() => recipientTasksCommand(existing, io, options))());
  recipients
    .command('done')
    .argument('<id>', 'the task id (rtk_…)')
    .description('close a task once the recipient was told')
    .action((id: string) => run(() => recipientTaskDoneCommand(existing, io, id))());

  try {
    await program.parseAsync([...argv], { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    if (error instanceof VowError) {
      io.err(error.problems.length > 0 && !error.message.includes('\n') ? error.problems.map((p) => formatProblem(p)).join('\n') : error.message);
      return 1;
    }
    throw error;
  }
}
