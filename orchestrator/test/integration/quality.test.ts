import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ContactCenter } from '../../src/platform/contact-center.ts';
import { FakeFreeswitch } from '../esl-peer/fake-freeswitch.ts';
import { createTestDatabase } from '../support/db.ts';
import { ADMIN, ApiClient, startCenter } from '../support/harness.ts';

/*
 * The form used throughout, and the hand arithmetic of the scores below:
 *   greeting   (weight 1): g1 max 5; g2 max 5, may be N/A
 *   solution   (weight 3): s1 max 10 weight 2; s2 max 4 weight 1
 *   compliance (weight 1): c1 max 1, FATAL
 * total = 100 × (1·greeting + 3·solution + 1·compliance) / 5
 */
const FORM = {
  id: 'std-2026',
  name: '标准质检表',
  sections: [
    { id: 'greeting', title: '开场', weight: 1, items: [{ id: 'g1', label: '问候', maxPoints: 5 }, { id: 'g2', label: '报工号', maxPoints: 5, allowNa: true }] },
    { id: 'solution', title: '解决问题', weight: 3, items: [{ id: 's1', label: '准确', maxPoints: 10, weight: 2 }, { id: 's2', label: '完整', maxPoints: 4 }] },
    { id: 'compliance', title: '合规', weight: 1, items: [{ id: 'c1', label: '核实身份', maxPoints: 1, fatal: true }] },
  ],
};
type Pts = Record<'g1' | 'g2' | 's1' | 's2' | 'c1', number | 'na'>;
const answers = (p: Pts) => Object.entries(p).map(([itemId, v]) => (v === 'na' ? { itemId, na: true } : { itemId, points: v }));

// e1: greeting 4/5 = .8; solution (2·.8 + .5)/3 = .7; compliance 1 → (.8 + 2.1 + 1)/5 = 78.0
const E1: Pts = { g1: 4, g2: 'na', s1: 8, s2: 2, c1: 1 };
// e2: everything perfect but the fatal item → 0 (80.0 without the fatal rule)
const E2: Pts = { g1: 5, g2: 5, s1: 10, s2: 4, c1: 0 };
// e3: greeting (1 + .8)/2 = .9; solution (2·.6 + 1)/3 = .7333…; → (.9 + 2.2 + 1)/5 = 82.0
const E3: Pts = { g1: 5, g2: 4, s1: 6, s2: 4, c1: 1 };
// e3 rescored on dispute: s1 8 → solution (1.6 + 1)/3 → (.9 + 2.6 + 1)/5 = 90.0
const E3_RESCORED: Pts = { ...E3, s1: 8 };
// e4 (agent B): all at maximum → 100.0
const E4: Pts = { g1: 5, g2: 5, s1: 10, s2: 4, c1: 1 };

describe('quality control (质检) over the API', () => {
  let fsw: FakeFreeswitch;
  let center: ContactCenter;
  let admin: ApiClient;
  let supervisor: ApiClient;
  let agentA: ApiClient;
  let agentB: ApiClient;
  let agentAId: string;
  let agentBId: string;
  let queueId: string;
  let formId: string;
  const rec: Record<string, string> = {};
  const evals: Record<string, string> = {};

  async function insertRecording(o: { agentId: string | null; queueId: string | null; startedAt: string; durationMs: number; organizationId?: string; status?: string }): Promise<string> {
    const id = randomUUID();
    await center.sql`
      insert into recordings (id, organization_id, call_id, agent_id, agent_ids, queue_id, caller_number, called_number, started_at, ended_at, duration_ms, status, capture_path, storage_key)
      values (${id}, ${o.organizationId ?? '00000000-0000-4000-8000-000000000001'}, ${randomUUID()}, ${o.agentId}, ${o.agentId ? [o.agentId] : []}::uuid[], ${o.queueId},
              '13800138000', '4008001234', ${o.startedAt}, ${new Date(Date.parse(o.startedAt) + o.durationMs).toISOString()}, ${o.durationMs},
              ${o.status ?? 'stored'}, ${`/tmp/${id}.wav`}, ${`${id}.wav`})`;
    return id;
  }

  async function client(login: string, password: string): Promise<ApiClient> {
    const c = new ApiClient(center.url);
    await c.login(login, password);
    return c;
  }

  beforeAll(async () => {
    fsw = new FakeFreeswitch();
    center = await startCenter({ databaseUrl: await createTestDatabase(), eslPort: await fsw.listen(), env: { CC_TIMEZONE: 'Asia/Shanghai' } });
    admin = await client(ADMIN.login, ADMIN.password);
    agentAId = (await admin.request('POST', '/api/agents', { login: 'qa.a', displayName: 'Agent A', extension: '5101', password: 'agent-pass-a' })).body.id;
    agentBId = (await admin.request('POST', '/api/agents', { login: 'qa.b', displayName: 'Agent B', extension: '5102', password: 'agent-pass-b' })).body.id;
    expect((await admin.request('POST', '/api/users', { login: 'qa.sup', displayName: 'Supervisor', password: 'super-pass-1', role: 'supervisor' })).status).toBe(201);
    queueId = (await admin.request('POST', '/api/queues', { name: 'QA queue' })).body.id;
    supervisor = await client('qa.sup', 'super-pass-1');
    agentA = await client('qa.a', 'agent-pass-a');
    agentB = await client('qa.b', 'agent-pass-b');
    // Calls in Asia/Shanghai: rec1 and rec2 on 2 March (09:00, 23:30), rec3 just after midnight on 3 March (00:30), rec4 on 3 March.
    rec.r1 = await insertRecording({ agentId: agentAId, queueId, startedAt: '2026-03-02T01:00:00Z', durationMs: 60_000 });
    rec.r2 = await insertRecording({ agentId: agentAId, queueId, startedAt: '2026-03-02T15:30:00Z', durationMs: 90_000 });
    rec.r3 = await insertRecording({ agentId: agentAId, queueId, startedAt: '2026-03-02T16:30:00Z', durationMs: 45_000 });
    rec.r4 = await insertRecording({ agentId: agentBId, queueId: null, startedAt: '2026-03-03T02:00:00Z', durationMs: 30_000 });
  });
  afterAll(async () => {
    await center?.stop();
    await fsw?.close();
  });

  it('refuses an invalid form with errors naming the section, item and field', async () => {
    const bad = structuredClone(FORM) as any;
    bad.sections[1].items[0].maxPoints = -3;
    bad.sections[2].items.push({ id: 'g1', label: 'dup', maxPoints: 1 });
    bad.sections[0].items[1].label = '';
    const r = await admin.request('POST', '/api/qa/forms', { definition: bad });
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('invalid_form');
    const messages = (r.body.error.issues as { path: string; message: string }[]).map((i) => i.message);
    expect(messages).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^section "solution", item "s1": maxPoints: /),
        expect.stringMatching(/^section "compliance", item "g1": id: duplicate item id "g1"/),
        expect.stringMatching(/^section "greeting", item "g2": label: /),
      ]),
    );
    expect(r.body.error.issues).toContainEqual({ path: 'sections.1.items.0.maxPoints', message: expect.any(String) });
    expect((await supervisor.request('POST', '/api/qa/forms', { definition: FORM })).status).toBe(403);
    expect((await center.sql`select count(*)::int as n from qa_forms`)[0]!.n).toBe(0);
  });

  it('creates a form; editing adds a version and never changes the one in use; archived forms take no new evaluations', async () => {
    const created = await admin.request('POST', '/api/qa/forms', { definition: FORM });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ code: 'std-2026', name: '标准质检表', currentVersion: 1, version: 1, archived: false });
    formId = created.body.id;
    expect((await admin.request('POST', '/api/qa/forms', { definition: FORM })).status).toBe(409);

    // An evaluation opened on version 1 keeps version 1 after the form is edited.
    const draft = await supervisor.request('POST', '/api/qa/evaluations', { recordingId: rec.r1, formId });
    expect(draft.status).toBe(201);
    expect(draft.body).toMatchObject({ status: 'draft', form: { id: formId, version: 1 }, agent: { id: agentAId, displayName: 'Agent A' }, party: 'reviewer', editable: true, recordingDurationMs: 60_000 });
    evals.e1 = draft.body.id;

    const v2 = structuredClone(FORM);
    v2.sections[0]!.items.push({ id: 'g3', label: '结束语', maxPoints: 2 } as never);
    const edited = await admin.request('PUT', `/api/qa/forms/${formId}`, { definition: v2 });
    expect(edited.status).toBe(200);
    expect(edited.body).toMatchObject({ currentVersion: 2, version: 2 });
    expect((await admin.request('PUT', `/api/qa/forms/${formId}`, { definition: { ...v2, id: 'other' } })).status).toBe(409);
    expect((await admin.request('GET', `/api/qa/forms/${formId}?version=1`)).body.definition).toEqual(expect.objectContaining({ id: 'std-2026', sections: expect.any(Array) }));
    expect((await admin.request('GET', `/api/qa/forms/${formId}?version=1`)).body.definition.sections[0].items).toHaveLength(2);
    const e1 = await supervisor.request('GET', `/api/qa/evaluations/${evals.e1}`);
    expect(e1.body.form.version).toBe(1);
    expect(e1.body.definition.sections[0].items.map((i: { id: string }) => i.id)).toEqual(['g1', 'g2']);
    await expect(center.sql`update qa_form_versions set definition = '{}' where form_id = ${formId} and version = 1`).rejects.toThrow(/immutable/);

    // Put the form back as it was (version 3) so the other tests score with FORM.
    expect((await admin.request('PUT', `/api/qa/forms/${formId}`, { definition: FORM })).body.currentVersion).toBe(3);
    expect((await admin.request('POST', `/api/qa/forms/${formId}/archive`, { archived: true })).body.archived).toBe(true);
    const refused = await supervisor.request('POST', '/api/qa/evaluations', { recordingId: rec.r2, formId });
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toMatch(/archived/);
    expect((await admin.request('PUT', `/api/qa/forms/${formId}`, { definition: FORM })).status).toBe(409);
    expect((await admin.request('POST', `/api/qa/forms/${formId}/archive`, { archived: false })).body.archived).toBe(false);
  });

  it('computes the score on the server and ignores any total the browser sends; a failed fatal item gives 0', async () => {
    // An incomplete submission names the unanswered items.
    const incomplete = await supervisor.request('POST', `/api/qa/evaluations/${evals.e1}/submit`, { answers: answers(E1).slice(0, 3) });
    expect(incomplete.status).toBe(400);
    expect(incomplete.body.error.message).toMatch(/section "solution", item "s2": not answered/);
    expect(incomplete.body.error.message).toMatch(/section "compliance", item "c1": not answered/);
    const outOfRange = await supervisor.request('PUT', `/api/qa/evaluations/${evals.e1}/answers`, { answers: [{ itemId: 's1', points: 11 }] });
    expect(outOfRange.status).toBe(400);
    expect(outOfRange.body.error.message).toMatch(/item "s1": points must be 0-10/);

    const saved = await supervisor.request('PUT', `/api/qa/evaluations/${evals.e1}/answers`, { answers: answers(E1) });
    expect(saved.status).toBe(200);
    expect(saved.body.preview.total).toBe(78);
    // Only the evaluator edits the draft; the agent does not even see it.
    expect((await admin.request('PUT', `/api/qa/evaluations/${evals.e1}/answers`, { answers: answers(E1) })).status).toBe(403);
    expect((await agentA.request('GET', `/api/qa/evaluations/${evals.e1}`)).status).toBe(404);

    const e1 = await supervisor.request('POST', `/api/qa/evaluations/${evals.e1}/submit`, { totalScore: 100, score: { total: 100 } });
    expect(e1.status).toBe(200);
    expect(e1.body).toMatchObject({ status: 'submitted', totalScore: 78, fatal: false });
    expect(e1.body.score.sections.map((s: { score: number | null }) => s.score)).toEqual([80, 70, 100]);
    expect((await supervisor.request('POST', `/api/qa/evaluations/${evals.e1}/submit`, {})).status).toBe(409);

    evals.e2 = (await supervisor.request('POST', '/api/qa/evaluations', { recordingId: rec.r2, formId })).body.id;
    const e2 = await supervisor.request('POST', `/api/qa/evaluations/${evals.e2}/submit`, { answers: answers(E2), totalScore: 100 });
    expect(e2.body).toMatchObject({ totalScore: 0, fatal: true, form: { version: 3 } });
    expect(e2.body.score).toMatchObject({ total: 0, totalBeforeFatal: 80, fatalFailed: ['c1'] });

    evals.e3 = (await supervisor.request('POST', '/api/qa/evaluations', { recordingId: rec.r3, formId, answers: answers(E3) })).body.id;
    expect((await supervisor.request('POST', `/api/qa/evaluations/${evals.e3}/submit`, {})).body.totalScore).toBe(82);
    evals.e4 = (await admin.request('POST', '/api/qa/evaluations', { recordingId: rec.r4, formId })).body.id;
    expect((await admin.request('POST', `/api/qa/evaluations/${evals.e4}/submit`, { answers: answers(E4) })).body.totalScore).toBe(100);
    // A draft is never counted in reports.
    evals.draft = (await supervisor.request('POST', '/api/qa/evaluations', { recordingId: rec.r4, formId, answers: answers(E2) })).body.id;

    const stored = await center.sql`select id, total_score::float as total, fatal, status from qa_evaluations order by call_started_at, created_at`;
    expect(stored.map((r) => [r.id, r.total, r.fatal, r.status])).toEqual([
      [evals.e1, 78, false, 'submitted'],
      [evals.e2, 0, true, 'submitted'],
      [evals.e3, 82, false, 'submitted'],
      [evals.e4, 100, false, 'submitted'],
      [evals.draft, null, false, 'draft'],
    ]);
  });

  it('pins comments to times within the recording and refuses one beyond its end', async () => {
    const ok = await supervisor.request('POST', `/api/qa/evaluations/${evals.e1}/comments`, { offsetMs: 12_500, text: '没有报工号', itemId: 'g2' });
    expect(ok.status).toBe(201);
    expect(ok.body).toMatchObject({ offsetMs: 12_500, endOffsetMs: null, itemId: 'g2', text: '没有报工号', author: { displayName: 'Supervisor' } });
    expect((await supervisor.request('POST', `/api/qa/evaluations/${evals.e1}/comments`, { offsetMs: 60_000, endOffsetMs: null, text: 'at the very end' })).status).toBe(201);

    const beyond = await supervisor.request('POST', `/api/qa/evaluations/${evals.e1}/comments`, { offsetMs: 60_001, text: 'too late' });
    expect(beyond.status).toBe(400);
    expect(beyond.body.error.message).toMatch(/beyond the end of the recording \(60000 ms\)/);
    expect((await supervisor.request('POST', `/api/qa/evaluations/${evals.e1}/comments`, { offsetMs: 30_000, endOffsetMs: 61_000, text: 'stretch' })).status).toBe(400);
    expect((await supervisor.request('POST', `/api/qa/evaluations/${evals.e1}/comments`, { offsetMs: 1_000, text: 'x', itemId: 'zz' })).status).toBe(400);
    expect((await agentA.request('POST', `/api/qa/evaluations/${evals.e1}/comments`, { offsetMs: 1_000, text: 'mine' })).status).toBe(403);

    const seen = await agentA.request('GET', `/api/qa/evaluations/${evals.e1}`);
    expect(seen.body.comments.map((c: { offsetMs: number }) => c.offsetMs)).toEqual([12_500, 60_000]);
    expect((await center.sql`select count(*)::int as n from qa_comments where evaluation_id = ${evals.e1!}`)[0]!.n).toBe(2);
  });

  it('shows agents their own submitted evaluations only', async () => {
    const mine = await agentA.request('GET', '/api/qa/evaluations');
    expect(mine.body.map((e: { id: string }) => e.id).sort()).toEqual([evals.e1, evals.e2, evals.e3].sort());
    expect((await agentB.request('GET', '/api/qa/evaluations')).body.map((e: { id: string }) => e.id)).toEqual([evals.e4]);
    expect((await agentB.request('GET', `/api/qa/evaluations/${evals.e1}`)).status).toBe(404);
    expect((await agentB.request('POST', `/api/qa/evaluations/${evals.e1}/acknowledge`)).status).toBe(404);
    expect((await agentB.request('POST', `/api/qa/evaluations/${evals.e1}/dispute`, { reason: 'not mine' })).status).toBe(404);
    expect((await agentA.request('GET', `/api/qa/evaluations/${evals.e1}`)).body).toMatchObject({ party: 'agent', editable: false, totalScore: 78 });
    // Agents neither score nor read reports or forms.
    expect((await agentA.request('POST', '/api/qa/evaluations', { recordingId: rec.r4, formId })).status).toBe(403);
    expect((await agentA.request('GET', `/api/qa/reports?groupBy=agent&from=2026-03-01T00:00:00Z&to=2026-03-05T00:00:00Z`)).status).toBe(403);
    // Nobody evaluates a recording of another organization (it does not exist for them).
    await center.sql`insert into organizations (id, name, sip_domain) values ('00000000-0000-4000-8000-0000000000f2', 'Other', 'other.local')`;
    const foreign = await insertRecording({ agentId: null, queueId: null, startedAt: '2026-03-02T03:00:00Z', durationMs: 10_000, organizationId: '00000000-0000-4000-8000-0000000000f2' });
    expect((await admin.request('POST', '/api/qa/evaluations', { recordingId: foreign, formId })).status).toBe(404);
  });

  it('lets the agent acknowledge or dispute once, and a supervisor resolve the dispute (upheld or rescored)', async () => {
    const ack = await agentA.request('POST', `/api/qa/evaluations/${evals.e1}/acknowledge`);
    expect(ack.body).toMatchObject({ status: 'acknowledged', acknowledgedAt: expect.any(String) });
    expect((await agentA.request('POST', `/api/qa/evaluations/${evals.e1}/dispute`, { reason: 'late' })).status).toBe(409);

    expect((await agentA.request('POST', `/api/qa/evaluations/${evals.e2}/dispute`, { reason: ' ' })).status).toBe(400);
    const disputed = await agentA.request('POST', `/api/qa/evaluations/${evals.e2}/dispute`, { reason: '客户已提供身份证号' });
    expect(disputed.body).toMatchObject({ status: 'disputed', dispute: { reason: '客户已提供身份证号', resolution: null } });
    expect((await agentA.request('POST', `/api/qa/evaluations/${evals.e2}/dispute`, { reason: 'again' })).status).toBe(409);
    expect((await agentA.request('POST', `/api/qa/evaluations/${evals.e2}/resolve`, { resolution: 'mine' })).status).toBe(403);
    const upheld = await supervisor.request('POST', `/api/qa/evaluations/${evals.e2}/resolve`, { resolution: '录音中未核实身份' });
    expect(upheld.body).toMatchObject({ status: 'resolved', totalScore: 0, dispute: { outcome: 'upheld', previousTotal: 0, resolvedBy: { displayName: 'Supervisor' } } });
    expect((await agentA.request('POST', `/api/qa/evaluations/${evals.e2}/acknowledge`)).status).toBe(409);

    await agentA.request('POST', `/api/qa/evaluations/${evals.e3}/dispute`, { reason: '方案是准确的' });
    const rescored = await supervisor.request('POST', `/api/qa/evaluations/${evals.e3}/resolve`, { resolution: '复核后调整', answers: answers(E3_RESCORED) });
    expect(rescored.body).toMatchObject({ status: 'resolved', totalScore: 90, dispute: { outcome: 'rescored', previousTotal: 82 } });
    expect((await agentA.request('GET', `/api/qa/evaluations/${evals.e3}`)).body.dispute).toMatchObject({ reason: '方案是准确的', resolution: '复核后调整' });
  });

  it('reports averages by agent, queue and item per local day, equal to the hand-computed values', async () => {
    const q = (params: string) => supervisor.request('GET', `/api/qa/reports?from=2026-03-01T00:00:00%2B08:00&to=2026-03-05T00:00:00%2B08:00&${params}`);
    const byAgent = await q('groupBy=agent&bucket=day');
    expect(byAgent.status).toBe(200);
    expect(byAgent.body).toMatchObject({ timezone: 'Asia/Shanghai', evaluations: 4 });
    const rows = (byAgent.body.rows as { key: string; label: string; bucket: string; count: number; average: number; fatalCount: number }[]).map((r) => [r.label, r.bucket, r.count, r.average, r.fatalCount]);
    // A on 2 March: e1 78 and e2 0 → 39.0; A on 3 March (00:30 local): e3 rescored 90; B on 3 March: 100.
    expect(rows).toEqual(
      expect.arrayContaining([
        ['Agent A', '2026-03-02', 2, 39, 1],
        ['Agent A', '2026-03-03', 1, 90, 0],
        ['Agent B', '2026-03-03', 1, 100, 0],
      ]),
    );
    expect(rows).toHaveLength(3);

    const byQueue = await q('groupBy=queue&bucket=all');
    expect(byQueue.body.rows.map((r: { label: string | null; count: number; average: number; fatalCount: number }) => [r.label, r.count, r.average, r.fatalCount])).toEqual([
      [null, 1, 100, 0], // no queue first
      ['QA queue', 3, 56, 1], // (78 + 0 + 90) / 3
    ]);

    const byItem = await q(`groupBy=item&bucket=all&formId=${formId}`);
    const items = Object.fromEntries(byItem.body.rows.map((r: { key: string; label: string; count: number; average: number; fatalCount: number }) => [r.key, [r.label, r.count, r.average, r.fatalCount]]));
    expect(items).toEqual({
      g1: ['问候', 4, 95, 0], // 80, 100, 100, 100
      g2: ['报工号', 3, 93.3, 0], // N/A, 100, 80, 100
      s1: ['准确', 4, 90, 0], // 80, 100, 80 (rescored), 100
      s2: ['完整', 4, 87.5, 0], // 50, 100, 100, 100
      c1: ['核实身份', 4, 75, 1], // 100, 0, 100, 100
    });

    const byWeek = await q('groupBy=agent&bucket=week');
    expect(byWeek.body.rows.map((r: { label: string; bucket: string; average: number }) => [r.label, r.bucket, r.average])).toEqual(
      expect.arrayContaining([['Agent A', '2026-03-02', 56], ['Agent B', '2026-03-02', 100]]),
    );
    expect((await q('groupBy=item&bucket=all')).status).toBe(400);
  });

  it('audits every change', async () => {
    const log = await center.sql<{ action: string; target: string; actor: string; details: Record<string, unknown> }[]>`
      select a.action, a.target, u.login as actor, a.details from audit_log a left join users u on u.id = a.actor_user_id
      where a.action like 'qa.%' order by a.id`;
    const actions = log.map((r) => r.action);
    expect(actions.filter((a) => a.startsWith('qa.form.'))).toEqual(['qa.form.create', 'qa.form.version', 'qa.form.version', 'qa.form.archive', 'qa.form.restore']);
    const ofE2 = log.filter((r) => r.target === evals.e2).map((r) => [r.action, r.actor]);
    expect(ofE2).toEqual([
      ['qa.evaluation.create', 'qa.sup'],
      ['qa.evaluation.submit', 'qa.sup'],
      ['qa.evaluation.dispute', 'qa.a'],
      ['qa.evaluation.resolve', 'qa.sup'],
    ]);
    expect(log.find((r) => r.target === evals.e2 && r.action === 'qa.evaluation.submit')!.details).toMatchObject({ total: 0, fatalFailed: ['c1'] });
    expect(log.find((r) => r.target === evals.e3 && r.action === 'qa.evaluation.resolve')!.details).toEqual({ outcome: 'rescored', previousTotal: 82, total: 90 });
    expect(log.filter((r) => r.target === evals.e1).map((r) => r.action)).toEqual([
      'qa.evaluation.create',
      'qa.evaluation.save',
      'qa.evaluation.submit',
      'qa.evaluation.comment',
      'qa.evaluation.comment',
      'qa.evaluation.acknowledge',
    ]);
  });
});
