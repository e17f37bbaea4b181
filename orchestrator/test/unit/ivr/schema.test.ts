import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseFlow } from '../../../src/ivr/schema.ts';
import { templateProblems, templateVariables, renderTemplate } from '../../../src/ivr/template.ts';
import { FIXTURES, tts } from './helpers.ts';

const read = (file: string) => JSON.parse(fs.readFileSync(file, 'utf8')) as unknown;
const good = fs.readdirSync(path.join(FIXTURES, 'good')).filter((f) => f.endsWith('.json'));
const bad = fs.readdirSync(path.join(FIXTURES, 'bad')).filter((f) => f.endsWith('.json'));

describe('flow fixtures', () => {
  it('has the fixture sets the tests rely on', () => {
    expect(good.length).toBeGreaterThanOrEqual(4);
    expect(bad.length).toBeGreaterThanOrEqual(10);
  });

  it.each(good)('good/%s parses without errors or warnings', (file) => {
    const r = parseFlow(read(path.join(FIXTURES, 'good', file)));
    expect(r.ok ? r.warnings : r.errors).toEqual([]);
    expect(r.ok).toBe(true);
  });

  it.each(bad)('bad/%s fails with its expected message', (file) => {
    const expected = fs.readFileSync(path.join(FIXTURES, 'bad', file.replace(/\.json$/, '.expected.txt')), 'utf8').trim();
    expect(expected).not.toBe('');
    const r = parseFlow(read(path.join(FIXTURES, 'bad', file)));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors.join('\n')).toContain(expected);
  });
});

const minimal = (nodes: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({ name: 'x', language: 'zh-CN', start: Object.keys(nodes)[0], nodes, ...extra });
const errorsOf = (json: unknown) => {
  const r = parseFlow(json);
  return r.ok ? [] : r.errors;
};
const warningsOf = (json: unknown) => {
  const r = parseFlow(json);
  if (!r.ok) throw new Error(r.errors.join('\n'));
  return r.warnings;
};

describe('flow validation', () => {
  it('fills in the documented defaults', () => {
    const r = parseFlow(
      minimal({
        m: { type: 'menu', prompt: tts('按1'), choices: { 1: 'bye' }, onFail: 'bye' },
        c: { type: 'collect', prompt: tts('输入'), variable: 'x', next: 'bye', onFail: 'bye' },
        h: { type: 'http', url: 'https://a.example/x', next: 'bye', onError: 'bye' },
        bye: { type: 'hangup' },
      }),
    );
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.flow.nodes.m).toMatchObject({ timeoutSec: 5, maxRetries: 2, bargeIn: true });
    expect(r.flow.nodes.c).toMatchObject({ minLength: 1, maxLength: 20, terminator: '#', sensitive: false, maxRetries: 2 });
    expect(r.flow.nodes.h).toMatchObject({ method: 'GET', timeoutMs: 3000, retries: 1, responseMap: {} });
    expect(r.flow.nodes.bye).toEqual({ type: 'hangup', cause: 'NORMAL_CLEARING' });
    expect(r.flow.variables).toEqual({});
  });

  it('reports unreachable nodes and unknown variables as warnings, not errors', () => {
    const w = warningsOf(
      minimal({
        p: { type: 'play', prompt: tts('余额${balanse}'), next: 'bye' },
        bye: { type: 'hangup' },
        orphan: { type: 'hangup' },
      }),
    );
    expect(w).toEqual(["node orphan: unreachable from start 'p'", "node p: prompt.tts.zh-CN uses variable 'balanse' that no node sets and the flow does not declare"]);
  });

  it('warns that a transfer does not keep the caller for afterCall on live calls (a queue does)', () => {
    const w = warningsOf(
      minimal({
        t: { type: 'transfer', to: { extension: '8001' }, afterCall: 's' },
        q: { type: 'queue', queueId: '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d', afterCall: 's' },
        s: { type: 'hangup' },
      }),
    );
    expect(w).toEqual([
      "node q: unreachable from start 't'",
      'node t: afterCall: on live calls the caller is released when a transfer ends (only a queue node keeps the caller for afterCall)',
    ]);
  });

  it('warns about prompts without text in a language callers can choose', () => {
    const w = warningsOf(
      minimal({
        lang: { type: 'language', prompt: tts('普通话请按1', 'English press 2'), choices: { 1: 'zh-CN', 2: 'en' }, next: 'p', onFail: 'p' },
        p: { type: 'play', prompt: tts('只有中文'), next: 'bye' },
        bye: { type: 'hangup' },
      }),
    );
    expect(w).toEqual(['node p: prompt.tts has no en text: callers who chose en hear zh-CN']);
  });

  it('forbids loops without caller input and allows loops through an input node', () => {
    const loop = minimal({ a: { type: 'set', assignments: { n: 'x' }, next: 'a' } });
    expect(errorsOf(loop)).toEqual([expect.stringContaining('node a: loop without caller input: a → a')]);
    const viaHttp = minimal({
      h: { type: 'http', url: 'https://a.example/x', next: 'bye', onError: 'sorry' },
      sorry: { type: 'play', prompt: tts('请稍候'), next: 'h' },
      bye: { type: 'hangup' },
    });
    expect(errorsOf(viaHttp)).toEqual([expect.stringContaining('loop without caller input: h → sorry → h')]);
    const viaMenu = minimal({
      m: { type: 'menu', prompt: tts('按1重听'), choices: { 1: 'again' }, onFail: 'bye' },
      again: { type: 'play', prompt: tts('好的'), next: 'm' },
      bye: { type: 'hangup' },
    });
    expect(parseFlow(viaMenu).ok).toBe(true);
  });

  it('checks conditions: values per op, regexes, numbers, calendars, nesting', () => {
    const branch = (when: unknown) => minimal({ b: { type: 'branch', conditions: [{ when, next: 'bye' }], otherwise: 'bye' }, bye: { type: 'hangup' } });
    expect(errorsOf(branch({ var: 'x', op: 'eq' }))).toEqual(["node b: conditions.0.when.value is required with op 'eq'"]);
    expect(errorsOf(branch({ var: 'x', op: 'empty', value: '1' }))).toEqual(["node b: conditions.0.when.value is not used with op 'empty'"]);
    expect(errorsOf(branch({ callerNumber: { op: 'matches', value: '(' } }))[0]).toContain('node b: conditions.0.when.callerNumber.value is not a valid regular expression');
    expect(errorsOf(branch({ var: 'x', op: 'gt', value: 'many' }))).toEqual(["node b: conditions.0.when.value: must be a number with op 'gt'"]);
    expect(errorsOf(branch({ any: [{ not: { var: 'X', op: 'empty' } }] }))[0]).toContain('node b: conditions.0.when.any.0.not.var: must be a variable name');
    expect(errorsOf(branch({ open: { name: 'a', timezone: 'Asia/Shanghai', weekly: { mon: [['18:00', '09:00']] }, exceptions: [] } }))[0]).toContain(
      'node b: conditions.0.when.open.weekly.mon.0',
    );
    expect(errorsOf(branch({ weather: 'sunny' }))[0]).toContain("node b: conditions.0.when: must be a condition: an object with one of 'var', 'callerNumber'");
    expect(errorsOf(branch({ var: 'x', op: 'gt', value: '${limit}' }))).toEqual([]);
    expect(errorsOf(branch({ var: 'x', op: 'gt', value: 100 }))).toEqual([]);
  });

  it('checks node-level rules', () => {
    const one = (node: unknown, extra: Record<string, unknown> = {}) => errorsOf(minimal({ n: node, bye: { type: 'hangup' }, ...extra }));
    expect(one({ type: 'http', url: 'https://${host}/x', next: 'bye', onError: 'bye' })[0]).toContain('literal host');
    expect(one({ type: 'http', method: 'POST', url: 'https://a.example', headers: { Host: 'x' }, next: 'bye', onError: 'bye' })).toEqual(['node n: headers.Host is set by the runtime']);
    expect(one({ type: 'http', url: 'https://a.example', responseMap: { x: 'data..x' }, next: 'bye', onError: 'bye' })[0]).toContain("responseMap.x: must be a path such as 'data.balance'");
    expect(one({ type: 'transfer', to: { external: '12ab' } })).toEqual(['node n: to.external: must be a phone number (3-20 digits, optional leading +) or a ${variable}']);
    expect(one({ type: 'transfer', to: { external: '${mobile}' } })).toEqual([]);
    expect(one({ type: 'notice', prompt: tts('公告'), next: 'bye' })).toEqual(['node n: enabled: give exactly one of enabled and enabledVar']);
    expect(one({ type: 'survey', prompt: tts('评价'), variable: 's', min: 5, max: 5, next: 'bye' })).toEqual(['node n: min (5) must be below max (5)']);
    expect(one({ type: 'queue', queueId: 'not-a-uuid' })[0]).toContain('node n: queueId:');
    expect(one({ type: 'queue', queueVar: 'q', skills: [], skillsVar: 's' })).toEqual(['node n: skills: give at most one of skills and skillsVar']);
    expect(one({ type: 'play', prompt: { tone: 'beep' }, next: 'bye' })).toEqual(['node n: prompt.tone: must be tone_stream://…']);
    expect(one({ type: 'play', prompt: { file: '/prompts/../etc/x.wav' }, next: 'bye' })[0]).toContain('prompt.file: must be an absolute .wav path');
    expect(one({ type: 'play', prompt: 'hello', next: 'bye' })[0]).toContain("node n: prompt: must be a prompt: an object with one of 'tts', 'file', 'tone'");
    expect(one({ type: 'set', assignments: {}, next: 'bye' })).toEqual(['node n: assignments: needs at least one assignment']);
    expect(one({ type: 'voicemail', mailbox: 'sales', next: 'nowhere' })).toEqual(["node n: next points to missing node 'nowhere'"]);
  });

  it('names top-level problems and refuses reserved initial variables', () => {
    expect(errorsOf({ name: '', language: 'fr', nodes: {} })).toEqual([
      'flow: name: Too small: expected string to have >=1 characters',
      'flow: language: Invalid option: expected one of "zh-CN"|"en"',
      'flow: start is required',
      'flow: nodes: needs at least one node',
    ]);
    expect(errorsOf(minimal({ bye: { type: 'hangup' } }, { variables: { language: 'en' } }))).toEqual(["variables.language: 'language' is set by the engine"]);
    expect(errorsOf('not a flow')).toEqual(['flow: expected object, received string']);
  });

  it('refuses absurdly nested documents before zod recurses into them', () => {
    let when: unknown = { var: 'x', op: 'empty' };
    for (let i = 0; i < 100; i++) when = { not: when };
    expect(errorsOf(minimal({ b: { type: 'branch', conditions: [{ when, next: 'bye' }], otherwise: 'bye' }, bye: { type: 'hangup' } }))).toEqual([
      'flow: nested more than 40 levels deep',
    ]);
  });
});

describe('templates', () => {
  it('accepts ${name} and literal dollars, and names bad references', () => {
    expect(templateProblems('余额 ${balance} 元，$5 off')).toEqual([]);
    expect(templateProblems('${Balance}')).toEqual(["'${Balance}' is not a variable reference (write ${name} with a-z, 0-9 and _)"]);
    expect(templateProblems('${a.b}')).toHaveLength(1);
    expect(templateProblems('${open')).toEqual(["unclosed '${' (write ${name})"]);
  });
  it('lists variables once and renders them', () => {
    expect(templateVariables('${a}${b}${a}')).toEqual(['a', 'b']);
    expect(renderTemplate('${a}-${missing}-$x', (n) => (n === 'a' ? 'A' : ''))).toBe('A--$x');
  });
});
