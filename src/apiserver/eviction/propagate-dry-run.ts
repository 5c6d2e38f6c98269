// propagateDryRun of upstream's eviction.go: an Eviction may carry dryRun in its deleteOptions as well as the query.
import { ApiError } from '../../machinery/errors.js';

/**
 * propagateDryRun: the dry-run of the request's query and of the Eviction's deleteOptions must agree when both are
 * given; the effective one is returned. The mismatch is a plain error upstream (a 500 without a reason).
 */
export function propagateDryRun(query: readonly string[], deleteOptions: readonly string[] | undefined): string[] {
  if (deleteOptions === undefined || deleteOptions.length === 0) return [...query];
  if (query.length === 0) return [...deleteOptions];
  if (query.length !== deleteOptions.length || query.some((v, i) => v !== deleteOptions[i])) {
    throw new ApiError(500, '', `Non-matching dry-run options in request and content: [${query.join(' ')}] and [${deleteOptions.join(' ')}]`);
  }
  return [...deleteOptions];
}
