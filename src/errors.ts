/**
 * The one error type Vow's domain throws. Each code maps to exactly one HTTP status
 * (see `httpStatusOf`), so a new code without a mapping fails to compile.
 */
export type ErrorCode =
  | 'bad_request'
  | 'invalid_declaration'
  | 'declaration_not_found'
  | 'not_found'
  | 'version_not_found'
  | 'unauthorized'
  | 'second_factor_required'
  | 'forbidden'
  | 'under_minimum_age'
  | 'conflict'
  | 'legal_hold'
  | 'expired'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'rate_limited'
  | 'audit_chain_broken'
  | 'unavailable';

export const httpStatus: Record<ErrorCode, number> = {
  bad_request: 400,
  invalid_declaration: 422,
  declaration_not_found: 404,
  not_found: 404,
  version_not_found: 404,
  unauthorized: 401,
  /** The password was right; the account's second factor is asked for. */
  second_factor_required: 401,
  forbidden: 403,
  under_minimum_age: 403,
  conflict: 409,
  /** The data is under a legal hold and may not be erased or changed. */
  legal_hold: 409,
  /** A code, request or link that has passed its time. */
  expired: 410,
  payload_too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  audit_chain_broken: 500,
  unavailable: 503,
};

/** A problem found at a place in some input: a declaration file, a request body. */
export interface Problem {
  /** Where, as a dotted path such as `categories[2].purposes[0]` (empty for the whole input). */
  path: string;
  message: string;
  /** 1-based line and column in the source file, where known. */
  line?: number;
  column?: number;
}

export class VowError extends Error {
  override readonly name = 'VowError';

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly problems: readonly Problem[] = [],
  ) {
    super(message);
  }
}

export function formatProblem(problem: Problem, file?: string): string {
  const place = [file, problem.line, problem.column].filter((part) => part !== undefined).join(':');
  const where = problem.path === '' ? '(root)' : problem.path;
  return `${place ? `${place}: ` : ''}${where}: ${problem.message}`;
}
