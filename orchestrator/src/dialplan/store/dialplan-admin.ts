import { randomUUID } from 'node:crypto';
import type postgres from 'postgres';
import type { Sql } from '../../db/client.ts';
import { audit } from '../../audit/audit-log.ts';
import { findItem, planRevert, withItem, type Revision } from '../changes.ts';
import {
  DIALPLAN_FILE_FORMAT,
  DIALPLAN_KINDS,
  KIND_INFO,
  itemLabel,
  type Dialplan,
  type DialplanFile,
  type DialplanItem,
  type DialplanKind,
} from '../model.ts';
import { blockingIssues, validateDialplan, type DialplanIssue, type DialplanRefs } from '../validate.ts';
import { parseItem, type DialplanRepository, type RevisionRow } from './dialplan-repository.ts';

/** The change would leave the dialplan with errors; each issue names its item and field. */
export class DialplanInvalidError extends Error {
  override readonly name = 'DialplanInvalidError';
  constructor(
    readonly issues: DialplanIssue[],
    /** The item the change was about (its issues are about "this" item). */
    readonly focusId: string | null,
  ) {
    super(issues.map((i) => i.message).join('; '));
  }
}

export class DialplanNotFoundError extends Error {
  override readonly name = 'DialplanNotFoundError';
}

/** A revert of a revision whose item changed since. */
export class DialplanStaleError extends Error {
  override readonly name = 'DialplanStaleError';
}

export interface Actor {
  organizationId: string;
  userId: string;
}

export interface ChangeResult<T> {
  value: T;
  revisionId: number;
  /** Every issue of the dialplan after the change (warnings, and older errors elsewhere). */
  issues: DialplanIssue[];
}

interface Plan {
  next: Dialplan;
  changed: Set<string> | 'all';
  focusId: string | null;
  revision: { kind: Revision['kind']; itemId: string | null; action: Revision['action']; before: unknown; after: unknown; reverts?: number };
  /** Writes the change (the rows of one item, or the whole dialplan). */
  write(tx: postgres.TransactionSql): Promise<void>;
  auditDetails(revisionId: number): object;
}

/**
 * Admin changes to the dialplan: create, update, delete, import and revert. Each
 * change is validated against the whole dialplan it produces (pure
 * validateDialplan), written with a revision holding the before/after state and an
 * audit_log row, all in one transaction. FreeSWITCH sees it on its next fetch.
 */
export class DialplanAdmin {
  constructor(
    private readonly repo: DialplanRepository,
    private readonly gateways: () => Promise<string[]>,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async refs(organizationId: string): Promise<DialplanRefs> {
    return this.repo.refs(organizationId, await this.gateways(), this.now());
  }

  async view(organizationId: string): Promise<{ dialplan: Dialplan; issues: DialplanIssue[]; gateways: readonly string[]; version: number }> {
    const [dialplan, refs, version] = await Promise.all([this.repo.load(organizationId), this.refs(organizationId), this.repo.version(organizationId)]);
    return { dialplan, issues: validateDialplan(dialplan, refs), gateways: refs.gateways, version };
  }

  /** Validates a whole dialplan without saving it. */
  async check(organizationId: string, d: Dialplan): Promise<DialplanIssue[]> {
    return validateDialplan(d, await this.refs(organizationId));
  }

  async export(organizationId: string): Promise<DialplanFile> {
    const d = await this.repo.load(organizationId);
    return { format: DIALPLAN_FILE_FORMAT, version: 1, exportedAt: this.now().toISOString(), ...d };
  }

  async create<K extends DialplanKind>(actor: Actor, kind: K, input: Omit<DialplanItem<K>, 'id'>): Promise<ChangeResult<DialplanItem<K>>> {
    const item = parseItem(kind, { ...input, id: randomUUID() }) as DialplanItem<K>;
    return this.itemChange(actor, kind, item.id, item, 'create');
  }

  async update<K extends DialplanKind>(actor: Actor, kind: K, id: string, input: Omit<DialplanItem<K>, 'id'>): Promise<ChangeResult<DialplanItem<K>>> {
    const item = parseItem(kind, { ...input, id }) as DialplanItem<K>;
    return this.itemChange(actor, kind, id, item, 'update');
  }

  async remove(actor: Actor, kind: DialplanKind, id: string): Promise<ChangeResult<null>> {
    return this.itemChange(actor, kind, id, null, 'delete');
  }

  private async itemChange<T extends DialplanItem | null>(actor: Actor, kind: DialplanKind, id: string, item: T, action: 'create' | 'update' | 'delete'): Promise<ChangeResult<T>> {
    const result = await this.apply(actor, (current) => {
      const before = findItem(current, kind, id);
      if (action !== 'create' && !before) throw new DialplanNotFoundError(`${KIND_INFO[kind].noun} ${id} not found`);
      return {
        next: withItem(current, kind, id, item),
        changed: new Set([id]),
        focusId: id,
        revision: { kind, itemId: id, action, before, after: item },
        write: (tx) => (item === null ? this.repo.remove(tx, actor.organizationId, kind, id) : this.repo.put(tx, actor.organizationId, kind, item, before !== null)),
        auditDetails: (revisionId) => ({ revisionId, before, after: item }),
      };
    });
    return { ...result, value: item };
  }

  /** Replaces the whole dialplan with a file's content: every item validated, all or nothing. */
  async import(actor: Actor, file: DialplanFile): Promise<ChangeResult<Record<DialplanKind, number>>> {
    const next = {} as Record<DialplanKind, DialplanItem[]>;
    for (const kind of DIALPLAN_KINDS) {
      next[kind] = (file[kind] as (DialplanItem & { id?: string })[]).map((i) => parseItem(kind, { ...i, id: i.id ?? randomUUID() }));
    }
    const dialplan = next as unknown as Dialplan;
    const counts = Object.fromEntries(DIALPLAN_KINDS.map((k) => [k, next[k].length])) as Record<DialplanKind, number>;
    const seen = new Set<string>();
    const duplicates: DialplanIssue[] = [];
    for (const kind of DIALPLAN_KINDS) {
      for (const item of next[kind]) {
        if (seen.has(item.id)) {
          const label = itemLabel(kind, item);
          duplicates.push({ severity: 'error', code: 'duplicate', kind, itemId: item.id, label, field: 'id', message: `${KIND_INFO[kind].noun} ${label}: id: ${item.id} is used twice in the file`, related: [] });
        }
        seen.add(item.id);
      }
    }
    if (duplicates.length > 0) throw new DialplanInvalidError(duplicates, null);
    const result = await this.apply(actor, (current) => ({
      next: dialplan,
      changed: 'all',
      focusId: null,
      revision: { kind: 'dialplan', itemId: null, action: 'import', before: current, after: dialplan },
      write: (tx) => this.repo.replaceAll(tx, actor.organizationId, dialplan),
      auditDetails: (revisionId) => ({ revisionId, counts }),
    }));
    return { ...result, value: counts };
  }

  /** Puts back what a revision changed (itself recorded as a revision, so a revert can be reverted). */
  async revert(actor: Actor, revisionId: number): Promise<ChangeResult<{ reverted: number }>> {
    const result = await this.apply(actor, (current, revision) => {
      const plan = planRevert(current, revision!, parseItem);
      if (!plan.ok) throw new DialplanStaleError(plan.reason);
      const r = revision!;
      return {
        next: plan.next,
        changed: plan.changed,
        focusId: r.itemId,
        revision: { kind: r.kind, itemId: r.itemId, action: 'revert', before: plan.before, after: plan.after, reverts: r.id },
        write: async (tx) => {
          if (r.kind === 'dialplan') await this.repo.replaceAll(tx, actor.organizationId, plan.next);
          else if (plan.after === null) await this.repo.remove(tx, actor.organizationId, r.kind, r.itemId!);
          else await this.repo.put(tx, actor.organizationId, r.kind, plan.after as DialplanItem, plan.before !== null);
        },
        auditDetails: (id) => (r.kind === 'dialplan' ? { revisionId: id, reverts: r.id } : { revisionId: id, reverts: r.id, before: plan.before, after: plan.after }),
      };
    }, revisionId);
    return { ...result, value: { reverted: revisionId } };
  }

  async revisions(organizationId: string, o: { limit: number; beforeId?: number | undefined; itemId?: string | undefined }): Promise<RevisionRow[]> {
    return this.repo.revisions(organizationId, o);
  }

  private async apply(actor: Actor, plan: (current: Dialplan, revision: RevisionRow | null) => Plan, revisionId?: number): Promise<Omit<ChangeResult<unknown>, 'value'>> {
    const gateways = await this.gateways();
    return this.repo.transaction(actor.organizationId, async (tx) => {
      let revision: RevisionRow | null = null;
      if (revisionId !== undefined) {
        revision = await this.repo.revision(actor.organizationId, revisionId, tx);
        if (!revision) throw new DialplanNotFoundError(`revision ${revisionId} not found`);
      }
      const current = await this.repo.load(actor.organizationId, tx);
      const refs = await this.repo.refs(actor.organizationId, gateways, this.now(), tx);
      const p = plan(current, revision);
      const after = validateDialplan(p.next, refs);
      const blocking = blockingIssues(p.changed === 'all' ? [] : validateDialplan(current, refs), after, p.changed);
      if (blocking.length > 0) throw new DialplanInvalidError(blocking, p.focusId);
      await p.write(tx);
      const id = await this.repo.addRevision(tx, actor.organizationId, { actorUserId: actor.userId, ...p.revision });
      const kindName = p.revision.kind;
      await audit(tx as unknown as Sql, {
        organizationId: actor.organizationId,
        actorUserId: actor.userId,
        action: `dialplan.${kindName}.${p.revision.action}`,
        target: p.revision.itemId ?? 'dialplan',
        details: p.auditDetails(id),
      });
      return { revisionId: id, issues: after };
    });
  }
}
