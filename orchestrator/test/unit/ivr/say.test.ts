import { describe, expect, it } from 'vitest';
import { enInteger, normaliseSayValue, spokenText, zhInteger, type SayKind } from '../../../src/ivr/say.ts';

const say = (kind: SayKind, raw: string, language: 'zh-CN' | 'en' = 'zh-CN') => {
  const v = normaliseSayValue(kind, raw);
  return v === null ? null : spokenText(kind, v, language);
};

describe('智能报读: Chinese', () => {
  it.each([
    ['0', '零'], ['10', '十'], ['12', '十二'], ['20', '二十'], ['110', '一百一十'], ['1005', '一千零五'], ['1050', '一千零五十'],
    ['10000', '一万'], ['10010', '一万零一十'], ['100010', '十万零一十'], ['1000100', '一百万零一百'], ['1001000', '一百万一千'],
    ['123456789', '一亿二千三百四十五万六千七百八十九'], ['1000000001', '十亿零一'], ['0042', '四十二'],
  ])('integer %s → %s', (n, text) => expect(zhInteger(n)).toBe(text));

  it('reads amounts in 元, 角 and 分', () => {
    expect(say('currency', '12.35')).toBe('十二元三角五分');
    expect(say('currency', '12.3')).toBe('十二元三角');
    expect(say('currency', '12.05')).toBe('十二元零五分');
    expect(say('currency', '0.05')).toBe('五分');
    expect(say('currency', '0.5')).toBe('五角');
    expect(say('currency', '0')).toBe('零元');
    expect(say('currency', '100')).toBe('一百元');
    expect(say('currency', '-12.50')).toBe('负十二元五角');
    expect(say('currency', '¥1,234.5')).toBe('一千二百三十四元五角');
  });

  it('reads numbers, digit strings (1 as 幺), dates and times', () => {
    expect(say('number', '2048.75')).toBe('二千零四十八点七五');
    expect(say('number', '-3')).toBe('负三');
    expect(say('digits', '10086')).toBe('幺零零八六');
    expect(say('digits', '138-0013-8000')).toBe('幺三八零零幺三八零零零');
    expect(say('date', '2026-10-01')).toBe('二零二六年十月一日');
    expect(say('time', '14:05')).toBe('十四点零五分');
    expect(say('time', '9:30')).toBe('九点三十分');
    expect(say('time', '14:00')).toBe('十四点整');
    expect(say('time', '08:00:15')).toBe('八点零分十五秒');
  });
});

describe('say: English', () => {
  it.each([
    ['0', 'zero'], ['15', 'fifteen'], ['42', 'forty-two'], ['100', 'one hundred'], ['1000001', 'one million one'],
    ['1234', 'one thousand two hundred thirty-four'],
  ])('integer %s → %s', (n, text) => expect(enInteger(n)).toBe(text));

  it('reads amounts, numbers, digits, dates and times', () => {
    expect(say('currency', '12.35', 'en')).toBe('twelve yuan and thirty-five fen');
    expect(say('currency', '0.05', 'en')).toBe('five fen');
    expect(say('currency', '0', 'en')).toBe('zero yuan');
    expect(say('currency', '-3', 'en')).toBe('minus three yuan');
    expect(say('number', '1234.5', 'en')).toBe('one thousand two hundred thirty-four point five');
    expect(say('digits', '10086', 'en')).toBe('one zero zero eight six');
    expect(say('date', '2026-10-01', 'en')).toBe('October 1, 2026');
    expect(say('time', '14:05', 'en')).toBe('2:05 PM');
    expect(say('time', '00:30', 'en')).toBe('12:30 AM');
    expect(say('time', '12:00', 'en')).toBe('12:00 PM');
  });
});

describe('say values', () => {
  it('normalises what it can read and refuses the rest', () => {
    expect(normaliseSayValue('number', '007')).toBe('7');
    expect(normaliseSayValue('number', '-0')).toBe('0');
    expect(normaliseSayValue('currency', ' 5 ')).toBe('5.00');
    expect(normaliseSayValue('time', '9:05')).toBe('09:05');
    for (const [kind, raw] of [['number', ''], ['number', '12abc'], ['currency', '1.234'], ['digits', '12a'], ['date', '2026-02-30'], ['date', '01/10/2026'], ['time', '24:00']] as const)
      expect(normaliseSayValue(kind, raw), `${kind} ${raw}`).toBeNull();
  });
});
