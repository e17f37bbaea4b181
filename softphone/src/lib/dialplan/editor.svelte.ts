import { toDisplayError, type DisplayError } from '../errors';
import { dialplanApi, type DialplanApiIssue, type DialplanKind, type DialplanRefsView } from './dialplan-api';

/**
 * The create/edit form of one kind of dialplan item: a flat form state, converted to
 * the API's input on save. Server validation errors (each naming item and field)
 * land in `error`; warnings about the saved item in `warnings`.
 */
export class ItemEditor<F extends object, T extends { id: string }> {
  form = $state({} as F);
  editing = $state<string | null>(null);
  busy = $state(false);
  error = $state<DisplayError | null>(null);
  warnings = $state<DialplanApiIssue[]>([]);
  /** The revision of the last change made here (shown after a save or delete). */
  lastRevision = $state<{ id: number; deleted: boolean } | null>(null);

  constructor(
    readonly kind: DialplanKind,
    private readonly empty: () => F,
    private readonly toInput: (form: F) => Omit<T, 'id'>,
    private readonly fromItem: (item: T) => F,
    private readonly onchanged: () => Promise<void>,
    private readonly networkMessage: () => string,
  ) {
    this.form = empty();
  }

  startEdit(item: T): void {
    this.editing = item.id;
    this.form = this.fromItem(item);
    this.error = null;
    this.warnings = [];
  }

  cancel(): void {
    this.editing = null;
    this.form = this.empty();
    this.error = null;
  }

  async save(): Promise<void> {
    this.busy = true;
    this.error = null;
    try {
      const input = this.toInput(this.form);
      const answer = this.editing
        ? await dialplanApi.update<T>(this.kind, this.editing, input)
        : await dialplanApi.create<T>(this.kind, input);
      this.warnings = answer.issues.filter((i) => i.itemId === answer.item.id);
      this.lastRevision = { id: answer.revisionId, deleted: false };
      this.editing = null;
      this.form = this.empty();
      await this.onchanged();
    } catch (err) {
      this.error = toDisplayError(err, this.networkMessage());
    } finally {
      this.busy = false;
    }
  }

  async remove(id: string): Promise<void> {
    this.busy = true;
    this.error = null;
    try {
      const answer = await dialplanApi.remove(this.kind, id);
      this.lastRevision = { id: answer.revisionId, deleted: true };
      if (this.editing === id) this.cancel();
      await this.onchanged();
    } catch (err) {
      this.error = toDisplayError(err, this.networkMessage());
    } finally {
      this.busy = false;
    }
  }
}

/** The props every dialplan item section (extensions, inbound numbers, outbound routes, blacklist) takes. */
export interface ItemSectionProps<T> {
  items: T[];
  refs: DialplanRefsView;
  issues: DialplanApiIssue[];
  canEdit: boolean;
  loading: boolean;
  loadError: DisplayError | null;
  onrefresh: () => void;
  onchanged: () => Promise<void>;
}

/** Issues of one item (for the row's badge). */
export function issuesOf(issues: readonly DialplanApiIssue[], id: string): DialplanApiIssue[] {
  return issues.filter((i) => i.itemId === id);
}

/** A number input's value as an integer (empty → fallback). */
export function int(value: unknown, fallback = 0): number {
  const n = typeof value === 'number' ? value : Number(String(value ?? '').trim());
  return Number.isFinite(n) ? Math.trunc(n) : fallback;
}
