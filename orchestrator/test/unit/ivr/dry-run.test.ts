import { describe, expect, it } from 'vitest';
import { dryRun, type ScriptedInput, type DryRunOptions } from '../../../src/ivr/dry-run.ts';
import type { LogEffect } from '../../../src/ivr/engine.ts';
import { nodeStatistics, type RunLogEvent } from '../../../src/ivr/statistics.ts';
import { NOW, fixture, spoken } from './helpers.ts';

const telecom = fixture('telecom-main-menu');
const account = fixture('account-to-queue');
const BALANCE = { 'https://billing.example.com/api/v1/balance': { status: 200, body: { data: { balance: -12.5, dueDate: '2026-12-05' } } } };
const AGENTS = '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4e';

describe('dry run', () => {
  it('walks a scripted call through the telecom menu, showing the path and what the caller hears', () => {
    const r = dryRun(telecom, ['1', '#'], { http: BALANCE, now: NOW });
    expect(r.path).toEqual([
      'welcome', 'main_menu', 'balance_lookup', 'balance_intro', 'say_balance', 'check_arrears', 'arrears_notice', 'say_due_date', 'after_lookup', 'goodbye', 'bye',
    ]);
    expect(spoken(r.effects)).toEqual([
      '您好，欢迎致电客服热线。',
      '话费余额查询请按1，流量查询请按2，套餐办理请按3，投诉建议请按8，人工服务请按0，重听请按9。',
      '您的话费余额为',
      '负十二元五角',
      '您已欠费，为避免停机，请在以下日期前缴费：',
      '二零二六年十二月五日',
      '返回主菜单请按星号键，结束通话请按井号键。',
      '感谢您的来电，再见。',
    ]);
    expect(r.effects.find((e) => e.kind === 'http')).toMatchObject({ request: { url: 'https://billing.example.com/api/v1/balance?msisdn=13800138000' } });
    expect(r.finished).toEqual({ outcome: 'hangup' });
    expect(r.waitingAt).toBeNull();
    expect(r.unusedInputs).toBe(0);
    expect(r.trace.filter((t) => t.awaiting !== 'prompt_done')).toEqual([
      { node: 'main_menu', awaiting: 'digits', input: '1' },
      { node: 'balance_lookup', awaiting: 'http', input: 'http 200' },
      { node: 'after_lookup', awaiting: 'digits', input: '#' },
    ]);
  });

  it('stops where the script runs out, and reports unused script items', () => {
    const r = dryRun(telecom, [], { now: NOW });
    expect(r).toMatchObject({ path: ['welcome', 'main_menu'], finished: null, waitingAt: { node: 'main_menu', awaiting: 'digits' } });
    expect(dryRun(telecom, ['3', '1', '2'], { now: NOW })).toMatchObject({ finished: { outcome: 'queue' }, unusedInputs: 2 });
  });

  it('takes a scripted hang-up at the next wait of any kind', () => {
    const duringLookup = dryRun(telecom, ['1', { kind: 'hangup' }], { http: BALANCE });
    expect(duringLookup.path.at(-1)).toBe('balance_lookup');
    expect(duringLookup.finished).toEqual({ outcome: 'caller_hangup' });
    const duringWelcome = dryRun(telecom, [{ kind: 'hangup' }]);
    expect(duringWelcome).toMatchObject({ path: ['welcome'], finished: { outcome: 'caller_hangup' }, trace: [{ node: 'welcome', awaiting: 'prompt_done', input: 'hangup' }] });
  });

  it('answers requests from mocks by URL (per attempt) or node id, and fails unmocked ones', () => {
    const retried = dryRun(telecom, ['1', '#'], { http: { 'https://billing.example.com/api/v1/balance': [{ status: 500 }, BALANCE['https://billing.example.com/api/v1/balance']] } });
    expect(retried.trace.filter((t) => t.awaiting === 'http').map((t) => t.input)).toEqual(['http 500', 'http 200']);
    expect(retried.path).toContain('say_balance');
    const byNode = dryRun(telecom, ['2'], { http: { usage_lookup: { status: 200, body: '{"data":{"remainingMb":"2048"}}' } } });
    expect(spoken(byNode.effects)).toContain('二千零四十八');
    const unmocked = dryRun(telecom, ['2']);
    expect(unmocked.path.slice(2)).toEqual(['usage_lookup', 'lookup_failed', 'agent_queue']);
    expect(unmocked.trace.find((t) => t.awaiting === 'http')?.input).toBe(
      'http error: no mocked answer for https://billing.example.com/api/v1/usage?msisdn=13800138000',
    );
    const down = dryRun(telecom, ['1'], { http: { balance_lookup: { error: 'ECONNRESET' } } });
    expect(down.path).toContain('lookup_failed');
  });

  it('collects an account number, routes by the CRM answer, runs the survey, and never shows the PIN', () => {
    const PIN = '975310';
    const r = dryRun(account, ['12345678#', PIN, '5'], {
      callerNumber: '13912345678',
      http: {
        'https://crm.example.com/api/ivr/verify': [
          { status: 503 },
          { status: 200, body: { customer: { name: '王女士', tier: 'vip' }, routing: { queueId: AGENTS, skills: 'cards:3,vip', priority: 90 } } },
        ],
      },
    });
    expect(r.path).toEqual(['ask_account', 'ask_pin', 'verify', 'tier_branch', 'vip_greeting', 'to_agents', 'survey', 'thanks', 'bye']);
    expect(r.effects.find((e) => e.kind === 'enqueue')).toEqual({
      kind: 'enqueue',
      queueId: AGENTS,
      priority: 90,
      skills: [{ skill: 'cards', minLevel: 3 }, { skill: 'vip', minLevel: 1 }],
      variables: {
        route_priority: '90', route_skills: 'cards:3,vip', route_queue: AGENTS, account_no: '12345678', customer_name: '王女士', customer_tier: 'vip',
        caller_number: '13912345678', language: 'zh-CN',
      },
    });
    expect(r.effects.filter((e) => e.kind === 'http').map((e) => e.kind === 'http' && e.request.body)).toEqual([
      { account: '12345678', pin: '***', caller: '13912345678' },
      { account: '12345678', pin: '***', caller: '13912345678' },
    ]);
    expect(r.trace.find((t) => t.node === 'ask_pin')).toEqual({ node: 'ask_pin', awaiting: 'digits', input: '***' });
    expect(r.state.variables).toMatchObject({ pin: '***', satisfaction: '5' });
    expect(JSON.stringify(r)).not.toContain(PIN);
  });
});

/** A call per script through the dry run, with its log effects tagged by a run id. */
function calls(flow = telecom, scripts: ScriptedInput[][], options: DryRunOptions = {}): RunLogEvent[] {
  return scripts.flatMap((script, i) =>
    dryRun(flow, script, options).effects.filter((e): e is LogEffect => e.kind === 'log').map((e) => ({ ...e, runId: `call-${i}` })),
  );
}

describe('node statistics', () => {
  it('counts visits, exits by branch, hang-ups and outcomes from hand-written events', () => {
    const ev = (runId: string, e: LogEffect): RunLogEvent => ({ ...e, runId });
    const entered = (runId: string, node: string) => ev(runId, { kind: 'log', event: 'node_entered', node });
    const exited = (runId: string, node: string, branch: string) => ev(runId, { kind: 'log', event: 'node_exited', node, branch });
    const ended = (runId: string, node: string, outcome: 'hangup' | 'caller_hangup' | 'queue' | 'voicemail' | 'transfer', handedOff: boolean) =>
      ev(runId, { kind: 'log', event: 'run_ended', node, outcome, handedOff });
    const stats = nodeStatistics([
      entered('r1', 'menu'), exited('r1', 'menu', 'choice:1'), entered('r1', 'bye'), exited('r1', 'bye', 'hangup'), ended('r1', 'bye', 'hangup', false),
      entered('r2', 'menu'), exited('r2', 'menu', 'caller_hangup'), ended('r2', 'menu', 'caller_hangup', false),
      entered('r3', 'menu'), exited('r3', 'menu', 'choice:0'), entered('r3', 'q'), exited('r3', 'q', 'queued'), ended('r3', 'q', 'queue', true),
      entered('r4', 'menu'),
      entered('r5', 'menu'), exited('r5', 'menu', 'choice:0'), entered('r5', 'q'), exited('r5', 'q', 'queued'), entered('r5', 'rate'), exited('r5', 'rate', 'answered'), ended('r5', 'rate', 'hangup', true),
      entered('r6', 'vm'), exited('r6', 'vm', 'voicemail'), ended('r6', 'vm', 'voicemail', false),
      entered('r7', 't'), exited('r7', 't', 'transferred'), ended('r7', 't', 'transfer', true),
      ev('r7', { kind: 'log', event: 'input_ignored', node: 't', detail: 'x' }),
    ]);
    expect(stats).toEqual({
      runs: 7,
      finishedRuns: 6,
      selfServiceRuns: 3,
      selfServiceRate: 0.5,
      outcomes: { hangup: 2, caller_hangup: 1, queue: 1, voicemail: 1, transfer: 1 },
      nodes: {
        menu: { visits: 5, exits: { 'choice:1': 1, caller_hangup: 1, 'choice:0': 2 }, hangups: 1 },
        bye: { visits: 1, exits: { hangup: 1 }, hangups: 0 },
        q: { visits: 2, exits: { queued: 2 }, hangups: 0 },
        rate: { visits: 1, exits: { answered: 1 }, hangups: 0 },
        vm: { visits: 1, exits: { voicemail: 1 }, hangups: 0 },
        t: { visits: 1, exits: { transferred: 1 }, hangups: 0 },
      },
    });
    expect(nodeStatistics([]).selfServiceRate).toBeNull();
  });

  it('aggregates the engine’s own logs from dry-run calls', () => {
    const stats = nodeStatistics(
      calls(telecom, [
        ['1', '#'], // balance, then goodbye: self-service
        ['0'], // agent
        [{ kind: 'hangup' }], // hangs up during the welcome prompt
        ['5', { kind: 'timeout' }, '7'], // three failed attempts: onFail → agent
        ['9', '1', { kind: 'timeout' }, { kind: 'hangup' }], // repeats the menu, balance, hangs up at the follow-up menu
      ], { http: BALANCE }),
    );
    expect(stats).toMatchObject({ runs: 5, finishedRuns: 5, selfServiceRuns: 3, selfServiceRate: 0.6, outcomes: { hangup: 1, queue: 2, caller_hangup: 2 } });
    expect(stats.nodes.main_menu).toEqual({ visits: 5, exits: { 'choice:1': 2, 'choice:0': 1, fail: 1, 'choice:9': 1 }, hangups: 0 });
    expect(stats.nodes.welcome).toEqual({ visits: 5, exits: { next: 4, caller_hangup: 1 }, hangups: 1 });
    expect(stats.nodes.after_lookup).toEqual({ visits: 2, exits: { 'choice:#': 1, caller_hangup: 1 }, hangups: 1 });
    expect(stats.nodes.agent_queue).toEqual({ visits: 2, exits: { queued: 2 }, hangups: 0 });
  });
});
