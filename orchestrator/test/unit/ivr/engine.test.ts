import { describe, expect, it } from 'vitest';
import { loggable, redactState, resume, start, type Effect, type RunState } from '../../../src/ivr/engine.ts';
import type { Flow } from '../../../src/ivr/schema.ts';
import { DIGITS, DONE, HANGUP, NOW, TIMEOUT, drive, exits, fixture, flowOf, logs, media, ok, spoken, tts } from './helpers.ts';

const QUEUE = '3f1d2c4b-5a6e-4f70-8a91-b2c3d4e5f600';
const bye = { type: 'hangup' };

describe('play', () => {
  const flow = flowOf({
    hello: { type: 'play', prompt: tts('您好，${name}。', 'Hello, ${name}.'), next: 'beep' },
    beep: { type: 'play', prompt: { tone: 'tone_stream://%(200,0,800)' }, bargeIn: true, next: 'file' },
    file: { type: 'play', prompt: { file: '/var/lib/prompts/bye.wav' }, next: 'bye' },
    bye,
  });

  it('plays the prompt in the current language with variables filled, and waits for it', () => {
    const step = start(flow, { callerNumber: '1', now: NOW, variables: { name: '张先生' } });
    expect(step.effects).toEqual([
      { kind: 'log', event: 'node_entered', node: 'hello' },
      { kind: 'play', prompt: { type: 'tts', text: '您好，张先生。', language: 'zh-CN' }, bargeIn: false },
    ]);
    expect(step.state).toMatchObject({ node: 'hello', awaiting: 'prompt_done', finished: null });
    expect(spoken(start(flow, { callerNumber: '1', now: NOW, language: 'en' }).effects)).toEqual(['Hello, .']);
  });

  it('continues when the prompt is done, passing tone, file and the barge-in flag through', () => {
    const r = drive(flow, [DONE, DONE]);
    expect(media(r.effects)).toEqual([
      { kind: 'play', prompt: { type: 'tts', text: '您好，。', language: 'zh-CN' }, bargeIn: false },
      { kind: 'play', prompt: { type: 'tone', tone: 'tone_stream://%(200,0,800)' }, bargeIn: true },
      { kind: 'play', prompt: { type: 'file', path: '/var/lib/prompts/bye.wav' }, bargeIn: false },
    ]);
    expect(r.state.awaiting).toBe('prompt_done');
    expect(exits(r.effects)).toEqual(['hello:next', 'beep:next']);
  });

  it('treats keys pressed during a prompt as barge-in', () => {
    expect(drive(flow, [DIGITS('5')]).state.node).toBe('beep');
  });
});

describe('menu', () => {
  const flow = flowOf({
    main: {
      type: 'menu',
      prompt: tts('查询请按1，人工请按0。'),
      choices: { 1: 'query', 0: 'agent', '#': 'bye' },
      timeoutSec: 7,
      maxRetries: 2,
      invalidPrompt: tts('输入有误。'),
      timeoutPrompt: tts('没有听到按键。'),
      onFail: 'agent',
    },
    query: { type: 'play', prompt: tts('查询'), next: 'bye' },
    agent: { type: 'queue', queueId: QUEUE },
    bye,
  });

  it('plays the prompt (barge-in by default) and collects one key', () => {
    const step = start(flow, { callerNumber: '1', now: NOW });
    expect(media(step.effects)).toEqual([
      { kind: 'play', prompt: { type: 'tts', text: '查询请按1，人工请按0。', language: 'zh-CN' }, bargeIn: true },
      { kind: 'collect', minLength: 1, maxLength: 1, terminator: '', timeoutSec: 7, sensitive: false },
    ]);
    expect(step.state.awaiting).toBe('digits');
  });

  it('follows the chosen key', () => {
    const r = drive(flow, [DIGITS('1')]);
    expect(r.state.node).toBe('query');
    expect(exits(r.effects)).toEqual(['main:choice:1']);
    expect(drive(flow, [DIGITS('#')]).state.finished).toEqual({ outcome: 'hangup' });
  });

  it('re-prompts after an invalid key and after a timeout, with the matching prompt', () => {
    const r = drive(flow, [DIGITS('7'), TIMEOUT]);
    expect(spoken(r.steps[1]!.effects)).toEqual(['输入有误。', '查询请按1，人工请按0。']);
    expect(spoken(r.steps[2]!.effects)).toEqual(['没有听到按键。', '查询请按1，人工请按0。']);
    expect(r.steps[2]!.effects.at(-1)).toMatchObject({ kind: 'collect' });
    expect(r.state).toMatchObject({ node: 'main', retries: 2, awaiting: 'digits' });
    expect(logs(r.effects).filter((e) => e.event === 'node_entered')).toHaveLength(1);
  });

  it('counts the runtime reporting invalid input, two keys and an empty entry as failed attempts', () => {
    expect(drive(flow, [{ kind: 'invalid' }]).state.retries).toBe(1);
    expect(drive(flow, [DIGITS('12')]).state.retries).toBe(1);
    expect(spoken(drive(flow, [DIGITS('')]).last)[0]).toBe('没有听到按键。');
  });

  it('goes to onFail after maxRetries failed attempts', () => {
    const r = drive(flow, [TIMEOUT, DIGITS('9'), TIMEOUT]);
    expect(exits(r.effects)).toEqual(['main:fail', 'agent:queued']);
    expect(logs(r.effects).find((e) => e.event === 'node_exited')).toMatchObject({ branch: 'fail', detail: 'timeout' });
    expect(r.state.finished).toEqual({ outcome: 'queue' });
  });

  it('a key after the retries were exhausted is too late: a fresh entry of the node starts at zero retries', () => {
    const again = flowOf({ m: { type: 'menu', prompt: tts('按1'), choices: { 1: 'bye' }, maxRetries: 0, onFail: 'm' }, bye });
    const r = drive(again, [TIMEOUT]);
    expect(r.state).toMatchObject({ node: 'm', retries: 0, path: ['m', 'm'] });
  });
});

describe('collect', () => {
  const flow = flowOf({
    account: {
      type: 'collect',
      prompt: tts('请输入账号，以井号键结束。'),
      variable: 'account_no',
      minLength: 6,
      maxLength: 10,
      timeoutSec: 8,
      pattern: '[1-9][0-9]*',
      maxRetries: 1,
      invalidPrompt: tts('账号有误。'),
      next: 'done',
      onFail: 'failed',
    },
    done: { type: 'play', prompt: tts('账号${account_no}'), next: 'bye' },
    failed: { type: 'play', prompt: tts('再见'), next: 'bye' },
    bye,
  });

  it('asks for digits with the node settings', () => {
    expect(start(flow, { callerNumber: '1', now: NOW }).effects.at(-1)).toEqual({
      kind: 'collect', minLength: 6, maxLength: 10, terminator: '#', timeoutSec: 8, sensitive: false,
    });
  });

  it('stores a valid entry (a trailing terminator is dropped) and continues', () => {
    const r = drive(flow, [DIGITS('123456#')]);
    expect(r.state.variables.account_no).toBe('123456');
    expect(spoken(r.last)).toEqual(['账号123456']);
    expect(exits(r.effects)).toEqual(['account:next']);
  });

  it('rejects entries that are too short, too long, off-pattern or contain other keys', () => {
    for (const digits of ['12345', '12345678901', '012345', '1234*5', '12#456'])
      expect(drive(flow, [DIGITS(digits)]).state, digits).toMatchObject({ node: 'account', retries: 1 });
  });

  it('without a pattern, still accepts only keys that are not the terminator', () => {
    const plain = flowOf({ c: { type: 'collect', prompt: tts('输入'), variable: 'x', next: 'bye', onFail: 'bye' }, bye });
    expect(drive(plain, [DIGITS('12*3#')]).state.variables.x).toBe('12*3');
    expect(drive(plain, [DIGITS('12#3')]).state).toMatchObject({ node: 'c', retries: 1 });
    const star = flowOf({ c: { type: 'collect', prompt: tts('输入'), variable: 'x', terminator: '*', next: 'bye', onFail: 'bye' }, bye });
    expect(drive(star, [DIGITS('1#2*')]).state.variables.x).toBe('1#2');
  });

  it('goes to onFail after the retries', () => {
    const r = drive(flow, [DIGITS('1'), TIMEOUT]);
    expect(exits(r.effects)).toEqual(['account:fail']);
    expect(r.state.node).toBe('failed');
    expect(r.state.variables.account_no).toBeUndefined();
  });
});

describe('sensitive input', () => {
  const PIN = '975310';
  const flow = flowOf({
    pin: { type: 'collect', prompt: tts('请输入密码'), variable: 'pin', minLength: 6, maxLength: 6, terminator: '', sensitive: true, next: 'copy', onFail: 'agent' },
    copy: { type: 'set', assignments: { pin_copy: 'x${pin}', other: 'safe' }, next: 'verify' },
    verify: {
      type: 'http',
      method: 'POST',
      url: 'https://crm.example.com/verify?pin=${pin}',
      body: { pin: '${pin}', account: '42' },
      retries: 0,
      responseMap: { name: 'name' },
      next: 'hello',
      onError: 'agent',
    },
    hello: { type: 'play', prompt: tts('${name}您好，密码${pin}'), next: 'say_pin' },
    say_pin: { type: 'say', what: 'digits', value: '${pin}', next: 'agent' },
    agent: { type: 'queue', queueId: QUEUE },
  });

  it('uses the real value where the runtime needs it and masks every loggable view', () => {
    const r = drive(flow, [DIGITS(PIN), ok({ name: '王女士' }), DONE, DONE]);
    const http = r.effects.find((e) => e.kind === 'http');
    expect(http).toMatchObject({ request: { url: `https://crm.example.com/verify?pin=${PIN}`, body: { pin: PIN, account: '42' } } });
    expect(loggable(http!)).toMatchObject({ request: { url: 'https://crm.example.com/verify?pin=***', body: { pin: '***', account: '42' } } });
    expect(spoken(r.effects.map(loggable))).toContain('王女士您好，密码***');
    expect(spoken(r.effects)).toContain('王女士您好，密码975310');
    const loggedView = JSON.stringify([r.effects.map(loggable), redactState(r.state), r.state.path]);
    expect(loggedView).not.toContain(PIN);
    expect(JSON.stringify(logs(r.effects))).not.toContain(PIN);
  });

  it('keeps sensitive values (and values computed from them) out of the screen-pop variables', () => {
    const r = drive(flow, [DIGITS(PIN), ok({ name: '王女士' }), DONE, DONE]);
    const enqueue = r.effects.find((e) => e.kind === 'enqueue');
    expect(r.state.sensitive.sort()).toEqual(['pin', 'pin_copy']);
    expect(enqueue).toMatchObject({ variables: { name: '王女士', other: 'safe', caller_number: '13800138000' } });
    expect(enqueue && 'variables' in enqueue && Object.keys(enqueue.variables)).not.toContain('pin');
    expect(JSON.stringify(enqueue)).not.toContain(PIN);
  });

  it('a variable overwritten with a plain value is no longer sensitive', () => {
    const clear = flowOf({
      pin: { type: 'collect', prompt: tts('请输入密码'), variable: 'pin', sensitive: true, next: 'wipe', onFail: 'q' },
      wipe: { type: 'set', assignments: { pin: 'entered' }, next: 'q' },
      q: { type: 'queue', queueId: QUEUE },
    });
    const r = drive(clear, [DIGITS(PIN)]);
    expect(r.state.sensitive).toEqual([]);
    expect(r.effects.find((e) => e.kind === 'enqueue')).toMatchObject({ variables: { pin: 'entered' } });
  });

  it('masks sensitive values quoted in a runtime error message', () => {
    const r = drive(flow, [DIGITS(PIN), { kind: 'http_error', error: `ECONNREFUSED https://crm.example.com/verify?pin=${PIN}` }]);
    expect(exits(r.effects)).toEqual(['pin:next', 'copy:next', 'verify:error', 'agent:queued']);
    expect(JSON.stringify(r.effects.map(loggable))).not.toContain(PIN);
  });
});

describe('say', () => {
  const flow = flowOf({
    amount: { type: 'say', what: 'currency', value: '${balance}', next: 'when' },
    when: { type: 'say', what: 'date', value: '${due}', next: 'bye' },
    bye,
  });

  it('reads the value out in the caller language (智能报读)', () => {
    const step = start(flow, { callerNumber: '1', now: NOW, variables: { balance: '1,234.5', due: '2026-12-01' } });
    expect(step.effects.at(-1)).toEqual({ kind: 'say', what: 'currency', value: '1234.50', language: 'zh-CN', text: '一千二百三十四元五角' });
    expect(resume(flow, step.state, DONE).effects.at(-1)).toEqual({ kind: 'say', what: 'date', value: '2026-12-01', language: 'zh-CN', text: '二零二六年十二月一日' });
    const en = start(flow, { callerNumber: '1', now: NOW, language: 'en', variables: { balance: '20', due: 'x' } });
    expect(en.effects.at(-1)).toMatchObject({ language: 'en', text: 'twenty yuan' });
  });

  it('skips a value that is not of its kind instead of reading garbage', () => {
    const r = drive(flow, [DONE], { variables: { balance: '12', due: 'soon' } });
    expect(exits(r.effects)).toEqual(['amount:next', "when:skipped", 'bye:hangup']);
    expect(logs(r.effects).find((e) => e.event === 'node_exited' && e.node === 'when')).toMatchObject({ detail: "not a date: 'soon'" });
  });
});

describe('set', () => {
  it('assigns all values at once, from the values before the node', () => {
    const flow = flowOf({
      s: { type: 'set', assignments: { a: '${b}', b: '${a}+', c: 'lit' }, next: 'bye' },
      bye,
    }, { variables: { a: '1', b: '2' } });
    expect(drive(flow, []).state.variables).toMatchObject({ a: '2', b: '1+', c: 'lit' });
  });

  it('switches the prompt language when it assigns a valid language, and ignores others', () => {
    const flow = flowOf({
      s: { type: 'set', assignments: { language: '${pref}' }, next: 'p' },
      p: { type: 'play', prompt: tts('中文', 'English'), next: 'bye' },
      bye,
    });
    expect(spoken(drive(flow, [], { variables: { pref: 'en' } }).effects)).toEqual(['English']);
    const r = drive(flow, [], { variables: { pref: 'fr' } });
    expect(spoken(r.effects)).toEqual(['中文']);
    expect(r.state.variables.language).toBe('zh-CN');
  });
});

describe('branch', () => {
  const branch = (when: unknown) =>
    flowOf({ b: { type: 'branch', conditions: [{ when, next: 'yes' }], otherwise: 'no' }, yes: bye, no: { type: 'hangup', cause: 'CALL_REJECTED' } });
  const taken = (when: unknown, variables: Record<string, string> = {}, callerNumber = '13800138000', now = NOW) => {
    const r = drive(branch(when), [], { variables, callerNumber, now });
    return exits(r.effects)[0];
  };

  it('compares variables with every operator', () => {
    expect(taken({ var: 'tier', op: 'eq', value: 'vip' }, { tier: 'vip' })).toBe('b:when:0');
    expect(taken({ var: 'tier', op: 'eq', value: 'vip' }, { tier: 'gold' })).toBe('b:otherwise');
    expect(taken({ var: 'tier', op: 'ne', value: 'vip' }, { tier: 'gold' })).toBe('b:when:0');
    expect(taken({ var: 'balance', op: 'lt', value: 0 }, { balance: '-3.5' })).toBe('b:when:0');
    expect(taken({ var: 'balance', op: 'lt', value: 0 }, { balance: '' })).toBe('b:otherwise');
    expect(taken({ var: 'balance', op: 'gt', value: '${limit}' }, { balance: '100', limit: '99.5' })).toBe('b:when:0');
    expect(taken({ var: 'balance', op: 'gt', value: '${limit}' }, { balance: '100', limit: 'n/a' })).toBe('b:otherwise');
    expect(taken({ var: 'code', op: 'matches', value: '^A\\d+$' }, { code: 'A12' })).toBe('b:when:0');
    expect(taken({ var: 'code', op: 'matches', value: '^A\\d+$' }, { code: 'A12x' })).toBe('b:otherwise');
    expect(taken({ var: 'code', op: 'matches', value: 'A\\d' }, { code: 'xA1y' })).toBe('b:when:0'); // a search, not a full match
    expect(taken({ var: 'code', op: 'starts_with', value: 'A1' }, { code: 'A12' })).toBe('b:when:0');
    expect(taken({ var: 'code', op: 'empty' })).toBe('b:when:0');
    expect(taken({ var: 'code', op: 'not_empty' })).toBe('b:otherwise');
  });

  it('tests the caller number', () => {
    expect(taken({ callerNumber: { op: 'starts_with', value: '+86138' } }, {}, '+8613800138000')).toBe('b:when:0');
    expect(taken({ callerNumber: { op: 'matches', value: '^1[3-9]\\d{9}$' } }, {}, '02150501234')).toBe('b:otherwise');
    expect(taken({ callerNumber: { op: 'empty' } }, {}, '')).toBe('b:when:0');
  });

  it('combines conditions with all, any and not, and takes the first that holds', () => {
    const both = { all: [{ var: 'a', op: 'eq', value: '1' }, { not: { var: 'b', op: 'eq', value: '1' } }] };
    expect(taken(both, { a: '1', b: '2' })).toBe('b:when:0');
    expect(taken(both, { a: '1', b: '1' })).toBe('b:otherwise');
    expect(taken({ any: [{ var: 'a', op: 'eq', value: '9' }, { var: 'b', op: 'eq', value: '1' }] }, { a: '1', b: '1' })).toBe('b:when:0');
    const two = flowOf({
      b: { type: 'branch', conditions: [{ when: { var: 'x', op: 'not_empty' }, next: 'first' }, { when: { var: 'x', op: 'eq', value: '1' }, next: 'second' }], otherwise: 'first' },
      first: bye,
      second: bye,
    });
    expect(exits(drive(two, [], { variables: { x: '1' } }).effects)[0]).toBe('b:when:0');
  });

  it('checks opening hours (with holidays) at the time of the run, from the input that carries it', () => {
    const flow = fixture('outage-and-hours');
    const at = (iso: string) => drive(flow, [], { now: Date.parse(iso) }).state.node;
    expect(at('2026-11-23T02:00:00Z')).toBe('open_menu'); // Monday 10:00 Beijing
    expect(at('2026-11-23T13:00:00Z')).toBe('closed_message'); // Monday 21:00
    expect(at('2026-10-01T02:00:00Z')).toBe('closed_message'); // National Day, a Thursday
    expect(at('2026-10-10T02:00:00Z')).toBe('open_menu'); // Saturday 调休 working day
    // The time of an input is the one conditions see: the caller waits in a notice until after closing.
    const noticeFirst = drive(flow, [{ kind: 'prompt_done', now: Date.parse('2026-11-23T12:30:00Z') }], { variables: { outage_notice: 'on' }, now: Date.parse('2026-11-23T11:59:00Z') });
    expect(noticeFirst.state.node).toBe('closed_message');
  });
});

describe('http', () => {
  const flow = flowOf({
    lookup: {
      type: 'http',
      url: 'https://billing.example.com/balance?msisdn=${caller_number}&name=${name}',
      headers: { 'X-Api-Key': 'k-${key}' },
      timeoutMs: 2500,
      retries: 2,
      responseMap: { balance: 'data.balance', plan: 'data.plans.0.name', active: 'data.active' },
      next: 'said',
      onError: 'sorry',
    },
    said: { type: 'play', prompt: tts('余额${balance}，套餐${plan}，${active}'), next: 'bye' },
    sorry: { type: 'play', prompt: tts('系统繁忙'), next: 'bye' },
    bye,
  });
  const answer = { data: { balance: 12.5, plans: [{ name: '畅享套餐' }], active: true } };

  it('asks for the request with values percent-encoded in the URL', () => {
    const step = start(flow, { callerNumber: '+86 138', now: NOW, variables: { name: '张&三', key: 'abc' } });
    expect(step.effects.at(-1)).toEqual({
      kind: 'http',
      request: { method: 'GET', url: 'https://billing.example.com/balance?msisdn=%2B86%20138&name=%E5%BC%A0%26%E4%B8%89', headers: { 'X-Api-Key': 'k-abc' }, body: null, timeoutMs: 2500 },
      attempt: 1,
    });
    expect(step.state.awaiting).toBe('http');
  });

  it('maps the answer into variables and continues', () => {
    const r = drive(flow, [ok(answer)]);
    expect(r.state.variables).toMatchObject({ balance: '12.5', plan: '畅享套餐', active: 'true' });
    expect(spoken(r.last)).toEqual(['余额12.5，套餐畅享套餐，true']);
    expect(exits(r.effects)).toEqual(['lookup:ok']);
  });

  it('retries a bad answer and succeeds on a later attempt', () => {
    const r = drive(flow, [ok('busy', 503), { kind: 'http_error', error: 'timeout' }, ok(answer)]);
    expect(r.effects.filter((e) => e.kind === 'http').map((e) => e.kind === 'http' && e.attempt)).toEqual([1, 2, 3]);
    expect(r.state.node).toBe('said');
  });

  it.each([
    ['a non-2xx status', ok(answer, 404), 'status 404'],
    ['unparsable JSON', ok('<html>oops</html>'), 'response is not JSON'],
    ['a missing mapped field', ok({ data: { balance: 1, plans: [] , active: false} }), "response has no field 'data.plans.0.name'"],
    ['a null field', ok({ data: { balance: null, plans: [{ name: 'x' }], active: true } }), "response has no field 'data.balance'"],
    ['a network error', { kind: 'http_error' as const, error: 'ETIMEDOUT' }, 'error: ETIMEDOUT'],
  ])('follows onError after its retries on %s', (_what, bad, detail) => {
    const r = drive(flow, [bad, bad, bad]);
    expect(r.state.node).toBe('sorry');
    expect(logs(r.effects).find((e) => e.event === 'node_exited')).toEqual({ kind: 'log', event: 'node_exited', node: 'lookup', branch: 'error', detail });
    expect(r.state.variables.balance).toBeUndefined();
  });

  it('caps a mapped value at 1000 characters', () => {
    const r = drive(flow, [ok({ data: { balance: 'x'.repeat(5000), plans: [{ name: 'p' }], active: 1 } })]);
    expect(r.state.variables.balance).toHaveLength(1000);
  });

  it('posts a JSON body and accepts any 2xx when nothing is mapped', () => {
    const notify = flowOf({
      post: { type: 'http', method: 'POST', url: 'http://hooks.example.com/ivr', body: { caller: '${caller_number}', event: 'menu' }, retries: 0, next: 'bye', onError: 'bye' },
      bye,
    });
    const step = start(notify, { callerNumber: '10086', now: NOW });
    expect(step.effects.at(-1)).toMatchObject({ request: { method: 'POST', body: { caller: '10086', event: 'menu' } } });
    expect(exits(resume(notify, step.state, ok('', 204)).effects)[0]).toBe('post:ok');
  });
});

describe('language', () => {
  const flow = fixture('language-choice');

  it('speaks the choice prompt in every language it has, current language first', () => {
    const step = start(flow, { callerNumber: '1', now: NOW });
    expect(media(step.effects)).toEqual([
      { kind: 'play', prompt: { type: 'tts', text: '普通话服务请按1。', language: 'zh-CN' }, bargeIn: true },
      { kind: 'play', prompt: { type: 'tts', text: 'For English, press 2.', language: 'en' }, bargeIn: true },
      { kind: 'collect', minLength: 1, maxLength: 1, terminator: '', timeoutSec: 4, sensitive: false },
    ]);
  });

  it('switches the language of every later prompt and of the agent routing', () => {
    const r = drive(flow, [DIGITS('2'), DONE, DIGITS('0')]);
    expect(r.state.language).toBe('en');
    expect(spoken(r.steps[1]!.effects)).toEqual(['Welcome to the international service center.']);
    expect(r.effects.find((e) => e.kind === 'enqueue')).toMatchObject({ skills: [{ skill: 'english', minLevel: 3 }], variables: { language: 'en' } });
    const zh = drive(flow, [DIGITS('1'), DONE, DIGITS('0')]);
    expect(zh.effects.find((e) => e.kind === 'enqueue')).toMatchObject({ skills: [{ skill: 'mandarin', minLevel: 1 }] });
  });

  it('keeps the default language when the caller does not choose', () => {
    const r = drive(flow, [TIMEOUT, TIMEOUT]);
    expect(exits(r.effects)).toEqual(['choose_language:fail']);
    expect(spoken(r.last)).toEqual(['欢迎致电国际客服中心。']);
  });

  it('falls back to the flow language for a prompt without text in the caller language', () => {
    const partial = flowOf({
      lang: { type: 'language', prompt: tts('请选择', 'Choose'), choices: { 2: 'en' }, next: 'p', onFail: 'p' },
      p: { type: 'play', prompt: tts('只有中文'), next: 'bye' },
      bye,
    });
    expect(media(drive(partial, [DIGITS('2')]).last)[0]).toEqual({ kind: 'play', prompt: { type: 'tts', text: '只有中文', language: 'zh-CN' }, bargeIn: false });
  });
});

describe('queue', () => {
  const flow = flowOf({
    q: { type: 'queue', queueVar: 'route_queue', priority: '${prio}', skillsVar: 'skills', afterCall: 'rate', onError: 'fallback' },
    fallback: { type: 'queue', queueId: QUEUE },
    rate: { type: 'survey', prompt: tts('请评价，1到5分'), variable: 'score', next: 'bye' },
    bye,
  });
  const vars = { route_queue: '9B0E7A52-1C3D-4E5F-8A7B-6C5D4E3F2A10', prio: '80', skills: 'billing:5, vip', tier: 'gold' };

  it('enqueues with the queue, priority and skills from variables, carrying the variables for the screen pop', () => {
    const r = drive(flow, [], { variables: vars });
    expect(media(r.effects)).toEqual([
      {
        kind: 'enqueue',
        queueId: vars.route_queue,
        priority: 80,
        skills: [{ skill: 'billing', minLevel: 5 }, { skill: 'vip', minLevel: 1 }],
        variables: { ...vars, caller_number: '13800138000', language: 'zh-CN' },
      },
    ]);
    expect(r.state).toMatchObject({ awaiting: 'bridge_ended', handedOff: 'queue', finished: null });
  });

  it('clamps the priority and uses 0 when it is not a number', () => {
    const priority = (prio: string) => drive(flow, [], { variables: { ...vars, prio } }).effects.find((e) => e.kind === 'enqueue');
    expect(priority('250')).toMatchObject({ priority: 100 });
    expect(priority('-4')).toMatchObject({ priority: 0 });
    expect(priority('7.6')).toMatchObject({ priority: 8 });
    expect(priority('high')).toMatchObject({ priority: 0 });
  });

  it('uses the fixed queue, skills and priority of the node', () => {
    const r = drive(fixture('telecom-main-menu'), [DONE, DIGITS('3')]);
    expect(r.last.find((e) => e.kind === 'enqueue')).toMatchObject({ queueId: '3f1d2c4b-5a6e-4f70-8a91-b2c3d4e5f601', priority: 10, skills: [{ skill: 'plans', minLevel: 2 }] });
    expect(r.state.finished).toEqual({ outcome: 'queue' });
    expect(logs(r.last).at(-1)).toEqual({ kind: 'log', event: 'run_ended', node: 'plans_queue', outcome: 'queue', handedOff: true });
  });

  it('takes onError for an unusable queue id or skills list, and hangs up without onError', () => {
    expect(drive(flow, [], { variables: { ...vars, route_queue: 'sales' } }).state.path).toEqual(['q', 'fallback']);
    expect(drive(flow, [], { variables: { ...vars, skills: 'billing:99' } }).state.path).toEqual(['q', 'fallback']);
    const strict = flowOf({ q: { type: 'queue', queueVar: 'route_queue' } });
    const r = drive(strict, []);
    expect(media(r.effects)).toEqual([{ kind: 'hangup', cause: 'NORMAL_TEMPORARY_FAILURE' }]);
    expect(r.state.finished).toEqual({ outcome: 'error', detail: "no queue id in 'route_queue'" });
  });

  it('continues at afterCall when the agent hangs up first (post-call survey)', () => {
    const r = drive(flow, [{ kind: 'bridge_ended' }, DIGITS('5')], { variables: vars });
    expect(r.state.variables.score).toBe('5');
    expect(exits(r.effects)).toEqual(['q:queued', 'rate:answered', 'bye:hangup']);
    expect(logs(r.effects).at(-1)).toMatchObject({ event: 'run_ended', outcome: 'hangup', handedOff: true });
  });
});

describe('transfer', () => {
  const flow = flowOf({
    t: { type: 'transfer', to: { external: '${mobile}' }, onError: 'desk' },
    desk: { type: 'transfer', to: { extension: '8001' } },
  });

  it('transfers to an external number from a variable, or to an extension', () => {
    const r = drive(flow, [], { variables: { mobile: '138-0013-8000', case_id: 'C42' } });
    expect(media(r.effects)).toEqual([{ kind: 'transfer', target: { type: 'external', number: '13800138000' }, variables: { mobile: '138-0013-8000', case_id: 'C42', caller_number: '13800138000', language: 'zh-CN' } }]);
    expect(r.state.finished).toEqual({ outcome: 'transfer' });
    const bad = drive(flow, [], { variables: { mobile: 'unknown' } });
    expect(media(bad.effects)).toMatchObject([{ kind: 'transfer', target: { type: 'extension', extension: '8001' } }]);
    expect(exits(bad.effects)).toEqual(['t:error', 'desk:transferred']);
  });
});

describe('voicemail', () => {
  it('ends the run with the recording when it has no next node', () => {
    const flow = flowOf({ vm: { type: 'voicemail', mailbox: 'sales', maxSeconds: 60, prompt: tts('请留言') } });
    const step = start(flow, { callerNumber: '1', now: NOW });
    expect(media(step.effects)).toEqual([
      { kind: 'play', prompt: { type: 'tts', text: '请留言', language: 'zh-CN' }, bargeIn: false },
      { kind: 'voicemail', mailbox: 'sales', maxSeconds: 60, variables: { caller_number: '1', language: 'zh-CN' } },
    ]);
    expect(step.state.finished).toEqual({ outcome: 'voicemail' });
  });

  it('continues after the recording when it has one', () => {
    const r = drive(fixture('outage-and-hours'), [DONE, DONE], { now: Date.parse('2026-11-23T13:00:00Z') });
    expect(r.state.path).toEqual(['outage', 'hours', 'closed_message', 'leave_message', 'thanks']);
    expect(exits(r.effects)).toContain('leave_message:recorded');
  });
});

describe('notice', () => {
  const flow = fixture('outage-and-hours');
  it('plays only while the admin switch is on', () => {
    const on = start(flow, { callerNumber: '1', now: NOW, variables: { outage_notice: 'true' } });
    expect(on.state).toMatchObject({ node: 'outage', awaiting: 'prompt_done' });
    expect(spoken(on.effects)[0]).toContain('光缆故障');
    expect(media(on.effects)[0]).toMatchObject({ bargeIn: false });
    const off = start(flow, { callerNumber: '1', now: NOW });
    expect(exits(off.effects)[0]).toBe('outage:skipped');
    expect(off.state.node).toBe('open_menu');
    const fixed = flowOf({ n: { type: 'notice', enabled: true, prompt: tts('公告'), next: 'bye' }, bye });
    expect(exits(drive(fixed, [DONE]).effects)).toEqual(['n:played', 'bye:hangup']);
  });
});

describe('survey', () => {
  const flow = flowOf({ s: { type: 'survey', prompt: tts('请评分'), variable: 'score', min: 1, max: 5, maxRetries: 1, invalidPrompt: tts('请按1到5'), next: 'bye' }, bye });
  it('stores a score in range', () => {
    expect(drive(flow, [DIGITS('4')]).state.variables.score).toBe('4');
  });
  it('re-asks for a score out of range and moves on without one after the retries', () => {
    const r = drive(flow, [DIGITS('9'), TIMEOUT]);
    expect(spoken(r.steps[1]!.effects)).toEqual(['请按1到5', '请评分']);
    expect(exits(r.effects)).toEqual(['s:no_answer', 'bye:hangup']);
    expect(r.state.variables.score).toBeUndefined();
  });
});

describe('hangup', () => {
  it('hangs up with the cause', () => {
    const r = drive(flowOf({ h: { type: 'hangup', cause: 'USER_BUSY' } }), []);
    expect(r.effects).toEqual([
      { kind: 'log', event: 'node_entered', node: 'h' },
      { kind: 'log', event: 'node_exited', node: 'h', branch: 'hangup' },
      { kind: 'hangup', cause: 'USER_BUSY' },
      { kind: 'log', event: 'run_ended', node: 'h', outcome: 'hangup', handedOff: false },
    ]);
  });

  it('ends the run cleanly when the caller hangs up mid-flow, at any kind of wait', () => {
    const flow = fixture('telecom-main-menu');
    for (const before of [[], [DONE], [DONE, DIGITS('1')], [DONE, DIGITS('1'), ok({ data: { balance: 5, dueDate: '2026-12-01' } })]]) {
      const r = drive(flow, [...before, HANGUP]);
      expect(r.last).toEqual([
        { kind: 'log', event: 'node_exited', node: r.state.node, branch: 'caller_hangup' },
        { kind: 'log', event: 'run_ended', node: r.state.node, outcome: 'caller_hangup', handedOff: false },
      ]);
      expect(r.state).toMatchObject({ awaiting: null, finished: { outcome: 'caller_hangup' } });
      expect(resume(flow, r.state, DIGITS('1')).effects).toEqual([]);
      expect(resume(flow, r.state, HANGUP).effects).toEqual([]);
    }
  });

  it('a hang-up while with the agent ends the run as handed off', () => {
    const flow = fixture('account-to-queue');
    const r = drive(flow, [TIMEOUT, TIMEOUT, TIMEOUT, HANGUP]);
    expect(r.state.path.at(-1)).toBe('general_queue');
    expect(r.last).toEqual([{ kind: 'log', event: 'run_ended', node: 'general_queue', outcome: 'caller_hangup', handedOff: true }]);
  });
});

describe('engine contract', () => {
  const flow = fixture('telecom-main-menu');

  it('ignores an input that does not fit the wait, changing nothing', () => {
    const step = start(flow, { callerNumber: '1', now: NOW });
    const after = resume(flow, step.state, ok({}));
    expect(after.effects).toEqual([{ kind: 'log', event: 'input_ignored', node: 'welcome', detail: 'http while awaiting prompt_done' }]);
    expect(after.state).toEqual(step.state);
  });

  it('never changes the state it is given, and its state survives JSON', () => {
    let step = start(flow, { callerNumber: '1', now: NOW });
    for (const input of [DONE, DIGITS('1'), ok({ data: { balance: -3, dueDate: '2026-12-01' } }), DONE, DONE, DONE, DONE, DIGITS('#'), DONE]) {
      const frozen = structuredClone(step.state);
      const stored = JSON.parse(JSON.stringify(step.state)) as RunState;
      const next = resume(flow, step.state, input);
      expect(step.state).toEqual(frozen);
      expect(resume(flow, stored, input)).toEqual(next);
      step = next;
    }
    expect(step.state.finished).toEqual({ outcome: 'hangup' });
    expect(step.state.path).toEqual([
      'welcome', 'main_menu', 'balance_lookup', 'balance_intro', 'say_balance', 'check_arrears', 'arrears_notice', 'say_due_date', 'after_lookup', 'goodbye', 'bye',
    ]);
  });

  it('keeps the flow language unless the runtime knows better, and caller_number is read-only', () => {
    const step = start(flow, { callerNumber: '13900139000', now: NOW, variables: { caller_number: 'spoofed', vip: '1', 'Bad-Name': 'x' } });
    expect(step.state.variables).toEqual({ caller_number: '13900139000', language: 'zh-CN', vip: '1' });
    expect(step.state.flow).toEqual({ id: 'telecom-main', version: 3 });
  });
});

describe('loop guard', () => {
  it('hangs up a caller who keeps looping through a menu after maxNodeEntries', () => {
    const flow = flowOf({ m: { type: 'menu', prompt: tts('重听请按9'), choices: { 9: 'm' }, onFail: 'bye' }, bye });
    const r = drive(flow, Array.from({ length: 10 }, () => DIGITS('9')), { maxNodeEntries: 5 });
    expect(r.state.path).toHaveLength(5);
    expect(r.state.finished).toEqual({ outcome: 'loop_guard', detail: "stopped before entering 'm'" });
    expect(media(r.steps[5]!.effects)).toEqual([{ kind: 'hangup', cause: 'NORMAL_TEMPORARY_FAILURE' }]);
    expect(r.steps.slice(6).every((s) => s.effects.length === 0)).toBe(true);
  });

  it('stops a flow that bypassed validation and spins without input, or points nowhere', () => {
    const spinning = { name: 'x', language: 'zh-CN', start: 'a', variables: {}, nodes: { a: { type: 'set', assignments: { n: '1' }, next: 'b' }, b: { type: 'set', assignments: { n: '2' }, next: 'a' } } } as unknown as Flow;
    const step = start(spinning, { callerNumber: '1', now: NOW, maxNodeEntries: 1_000_000 });
    expect(step.state.finished).toEqual({ outcome: 'loop_guard', detail: "stopped before entering 'a'" });
    expect(step.effects.filter((e: Effect) => e.kind === 'log' && e.event === 'node_entered').length).toBe(1000);
    expect(media(step.effects)).toEqual([{ kind: 'hangup', cause: 'NORMAL_TEMPORARY_FAILURE' }]);
    const dangling = { ...spinning, nodes: { a: { type: 'set', assignments: { n: '1' }, next: 'gone' } } } as unknown as Flow;
    expect(start(dangling, { callerNumber: '1', now: NOW }).state.finished).toEqual({ outcome: 'error', detail: "missing node 'gone'" });
    const spoofing = { ...spinning, nodes: { a: { type: 'set', assignments: { caller_number: '110' }, next: 'h' }, h: { type: 'hangup', cause: 'NORMAL_CLEARING' } } } as unknown as Flow;
    expect(start(spoofing, { callerNumber: '13800138000', now: NOW }).state.variables.caller_number).toBe('13800138000');
  });
});
