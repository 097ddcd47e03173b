import type { Config } from '../config.js';
import { draftNotices, notifyBreachSubjects } from '../breaches/breach-notices.js';
import { listBreaches, markBreach, recordBreach, showBreach, type Breach, type BreachRisk } from '../breaches/breach-register.js';
import type { Io } from './io.js';
import { withVault } from './with-vault.js';

const clockLine = (breach: Breach) =>
  breach.clocks.map((clock) => `${clock.id} ${clock.doneAt ? `done ${clock.doneAt}` : clock.dueAt ? `${clock.overdue ? 'OVERDUE since' : 'due'} ${clock.dueAt}` : 'not required'}`).join('; ');

/** `vow breaches list`: one line a breach — id, status, risk, discovery, people affected, clocks. */
export function breachesListCommand(config: Config, io: Io): Promise<number> {
  return withVault(config, io, async (vault) => {
    const breaches = await listBreaches(vault);
    if (breaches.length === 0) io.out('no breaches recorded');
    for (const breach of breaches) io.out(`${breach.id}  ${breach.status}  ${breach.risk}  discovered ${breach.discoveredAt}  ${breach.subjectCount} people  ${breach.title}  [${clockLine(breach)}]`);
    return 0;
  });
}

export function breachesShowCommand(config: Config, io: Io, id: string, options: { notices: boolean }): Promise<number> {
  return withVault(config, io, async (vault) => {
    const breach = await showBreach(vault, id);
    io.out(`${breach.id}  ${breach.status}  risk ${breach.risk}: ${breach.title}`);
    io.out(`began ${breach.beganAt}, discovered ${breach.discoveredAt}, recorded ${breach.recordedAt} by ${breach.recordedBy}`);
    io.out(`categories: ${breach.categories.join(', ')}; people affected: ${breach.subjectCount}`);
    io.out(`what happened: ${breach.description}`);
    io.out(`likely consequences: ${breach.consequences}`);
    io.out(`measures: ${breach.measures}`);
    for (const clock of breach.clocks) io.out(`  ${clock.law}: ${clock.doneAt ? `done ${clock.doneAt}` : clock.dueAt ? `${clock.overdue ? 'OVERDUE, due' : 'due'} ${clock.dueAt}` : 'not required'}`);
    if (options.notices) {
      const drafts = draftNotices(vault, breach);
      for (const line of ['', `--- to the supervisory authority: ${drafts.authority.subject}`, drafts.authority.text, `--- to the people affected: ${drafts.subjects.subject}`, drafts.subjects.text]) io.out(line);
    }
    return 0;
  });
}

export interface BreachRecordOptions {
  title: string;
  description: string;
  began: string;
  discovered: string;
  risk: BreachRisk;
  category: string[];
  subject?: string[];
  withCategory?: string;
  consequences: string;
  measures: string;
}

export function breachesRecordCommand(config: Config, io: Io, options: BreachRecordOptions): Promise<number> {
  return withVault(config, io, async (vault) => {
    const breach = await recordBreach(vault, {
      title: options.title,
      description: options.description,
      beganAt: options.began,
      discoveredAt: options.discovered,
      risk: options.risk,
      categories: options.category,
      subjects: { ...(options.subject ? { ids: options.subject } : {}), ...(options.withCategory ? { withCategory: options.withCategory } : {}) },
      consequences: options.consequences,
      measures: options.measures,
      actor: 'cli',
    });
    io.out(`${breach.id} recorded: ${breach.subjectCount} people affected; ${clockLine(breach)}`);
    return 0;
  });
}

export function breachesStepCommand(config: Config, io: Io, id: string, step: 'notify-subjects' | 'authority-notified' | 'close', options: { reference?: string } = {}): Promise<number> {
  return withVault(config, io, async (vault) => {
    if (step === 'notify-subjects') {
      const { sent, unreachable } = await notifyBreachSubjects(vault, { id, actor: 'cli' });
      io.out(`${id}: ${sent} notices queued${unreachable > 0 ? `, ${unreachable} people with no address left to write to` : ''}`);
      return 0;
    }
    const breach = await markBreach(vault, { id, step: step === 'close' ? 'closed' : 'authority-notified', ...(options.reference ? { reference: options.reference } : {}), actor: 'cli' });
    io.out(`${id}: ${step === 'close' ? 'closed' : `authority notified${breach.authorityReference ? ` (${breach.authorityReference})` : ''}`}`);
    return 0;
  });
}
