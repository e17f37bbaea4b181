import type { ApiIssue } from './api';
import type { DisplayError } from './errors';

/**
 * Places the issues of a validation error next to the fields they name: `at(path)` gives the messages
 * of the issues whose path is `path` (or below it when `below` is set); `rest` the issues no field shows.
 */
export class IssueIndex {
  readonly #issues: ApiIssue[];
  readonly #placed: (path: string) => boolean;

  constructor(error: DisplayError | null, placed: (path: string) => boolean) {
    this.#issues = error?.issues ?? [];
    this.#placed = placed;
  }

  at(path: string, below = false): string[] {
    return this.#issues
      .filter((i) => i.path === path || (below && i.path.startsWith(`${path}.`)))
      .map((i) => i.message);
  }

  get rest(): ApiIssue[] {
    return this.#issues.filter((i) => !this.#placed(i.path));
  }
}

/** The error without the issues shown next to their fields. */
export function withUnplacedIssues(error: DisplayError | null, index: IssueIndex): DisplayError | null {
  return error && { message: error.message, issues: index.rest };
}
