/**
 * The steps of work that spans transactions (a request's completion, a report's
 * confirmation) where a process may die. The crash tests make it fail or die at each
 * one to prove the work resumes and is done exactly once; production runs pass nothing.
 */
export const faultPoints = [
  /** The claim committed; nothing carried out yet. */
  'request.claimed',
  /** The effect written inside the completion's transaction, not yet committed. */
  'request.carried-out',
  /** The completion committed; the caller not yet answered. */
  'request.completed',
  'child-report.claimed',
  'child-report.carried-out',
  'child-report.confirmed',
  /** A declared system's task carried out there (its transaction committed), not yet recorded done. */
  'system-task.carried-out',
  /** A declared system's task done and recorded; the request not yet finished. */
  'system-task.done',
] as const;
export type FaultPoint = (typeof faultPoints)[number];

/** Called at each point; a test's throws there (a failure) or kills the process (a crash). */
export type Faults = (point: FaultPoint) => void;

export function reached(context: { faults?: Faults | undefined }, point: FaultPoint): void {
  context.faults?.(point);
}

/** Dies at one point as a power cut would: no handler, no flush, no goodbye (`VOW_CRASH_AT`). */
export function dieAt(point: FaultPoint): Faults {
  return (at) => {
    if (at === point) process.kill(process.pid, 'SIGKILL');
  };
}
