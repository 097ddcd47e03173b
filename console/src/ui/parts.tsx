/** The few pieces every screen is made of: headings that take focus, messages, tables, fields, time. */
import { useEffect, useId, useRef, useState, type ReactNode } from 'react';
import { useLocation } from 'react-router';
import { ApiError } from '../api/client';

/**
 * The screen's heading: it takes focus whenever the screen is opened (its link followed
 * again too), so a screen reader and the keyboard start there.
 */
export function ScreenTitle({ children, title }: { children: ReactNode; title: string }) {
  const heading = useRef<HTMLHeadingElement>(null);
  const { key } = useLocation();
  useEffect(() => {
    document.title = `${title} · Vow console`;
    heading.current?.focus();
  }, [title, key]);
  return (
    <h1 ref={heading} tabIndex={-1}>
      {children}
    </h1>
  );
}

/** What went wrong, as the API said it: announced at once. */
export function Problem({ error }: { error: unknown }) {
  if (!error) return null;
  const message = error instanceof Error ? error.message : 'something went wrong';
  const problems = error instanceof ApiError ? error.problems : [];
  return (
    <div className="problem" role="alert">
      <p>{message}</p>
      {problems.length > 0 && (
        <ul>
          {problems.map((problem) => (
            <li key={`${problem.path}:${problem.message}`}>
              {problem.path ? <code>{problem.path}</code> : null} {problem.message}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** A change done: said politely, where the person's focus is moved. */
export function Done({ children }: { children: ReactNode }) {
  const box = useRef<HTMLParagraphElement>(null);
  useEffect(() => box.current?.focus(), []);
  return (
    <p className="done" role="status" tabIndex={-1} ref={box}>
      {children}
    </p>
  );
}

export function Loading({ what }: { what: string }) {
  return (
    <p className="loading" role="status">
      Loading {what}…
    </p>
  );
}

/** A table that scrolls sideways on a narrow screen, reachable by the keyboard when it does. */
export function Table({ caption, head, children }: { caption: string; head: readonly string[]; children: ReactNode }) {
  const id = useId();
  return (
    <div className="table" role="region" aria-labelledby={id} tabIndex={0}>
      <table>
        <caption id={id}>{caption}</caption>
        <thead>
          <tr>
            {head.map((name) => (
              <th key={name} scope="col">
                {name}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}

/** A labelled field; its hint is read with it. */
export function Field({ label, hint, children }: { label: string; hint?: string; children: (props: { id: string; 'aria-describedby'?: string }) => ReactNode }) {
  const id = useId();
  const hintId = `${id}-hint`;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {hint && (
        <p className="hint" id={hintId}>
          {hint}
        </p>
      )}
      {children(hint ? { id, 'aria-describedby': hintId } : { id })}
    </div>
  );
}

/** The time, moved on every minute: the clocks on screen count down while it stays open. */
function useNow(): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => {
      setNow(Date.now());
    }, 60_000);
    return () => {
      clearInterval(timer);
    };
  }, []);
  return now;
}

const dateTime = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short' });

export function When({ at }: { at: string | null | undefined }) {
  if (!at) return <span className="muted">—</span>;
  return <time dateTime={at}>{dateTime.format(new Date(at))}</time>;
}

/** A deadline as a person reads it: how long is left, or how long it is overdue. */
export function Clock({ dueAt, doneAt, overdue }: { dueAt: string | null; doneAt?: string | null; overdue: boolean }) {
  const now = useNow();
  if (!dueAt) return <span className="muted">does not apply</span>;
  if (doneAt) return <span className="clock done-clock">done <When at={doneAt} /></span>;
  const ms = Date.parse(dueAt) - now;
  const hours = Math.abs(ms) / 3_600_000;
  const span = hours < 48 ? `${Math.round(hours)} h` : `${Math.round(hours / 24)} days`;
  return (
    <span className={overdue ? 'clock overdue' : hours < 24 * 7 ? 'clock near' : 'clock'}>
      {overdue ? `overdue by ${span}` : `${span} left`} (<When at={dueAt} />)
    </span>
  );
}
