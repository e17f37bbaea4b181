import { describe, expect, it } from 'vitest';
import { bargeInPlayArgs, collectArgs, filePlayable, joinPlayables, recordArgs, speechPlayable, tonePlayable, UnsafePromptError } from '../../../src/ivr/runtime/switch-args.ts';
import { splitArgs } from '../../esl-peer/fake-freeswitch.ts';

describe('FreeSWITCH application arguments for the IVR', () => {
  it('collects with one try, the node timeout, the terminator and the prompts quoted as one argument', () => {
    const args = collectArgs({ maxLength: 8, terminator: '#', timeoutSec: 6 }, ['say:Enter your account number', '/prompts/a.wav']);
    expect(splitArgs(args)).toEqual(['1', '8', '1', '6000', '#', 'file_string://say:Enter your account number!/prompts/a.wav', 'silence_stream://0', 'cc_ivr_digits', '.*', '6000']);
    expect(splitArgs(collectArgs({ maxLength: 1, terminator: '', timeoutSec: 5 }, []))[4]).toBe('none');
    expect(splitArgs(collectArgs({ maxLength: 1, terminator: '', timeoutSec: 5 }, []))[5]).toBe('silence_stream://100');
  });

  it('barge-in prompts wait only briefly for a key', () => {
    expect(splitArgs(bargeInPlayArgs(['tone_stream://%(100,0,400)']))).toEqual(['1', '1', '1', '200', 'none', 'tone_stream://%(100,0,400)', 'silence_stream://0', 'cc_ivr_digits', '.*', '200']);
  });

  it('spoken text cannot break out of its argument or the file list', () => {
    expect(speechPlayable("Don't panic!\nReally")).toBe('say:Don\u2019t panic. Really');
    expect(() => speechPlayable('  ')).toThrow(UnsafePromptError);
    const args = collectArgs({ maxLength: 1, terminator: '', timeoutSec: 5 }, [speechPlayable("it's 5 o'clock! Press 1")]);
    expect(splitArgs(args)).toHaveLength(10);
  });

  it('accepts only safe absolute file paths and tone streams', () => {
    expect(filePlayable('/var/prompts/uploads/x/welcome.1a2b.wav')).toBe('/var/prompts/uploads/x/welcome.1a2b.wav');
    for (const bad of ['relative.wav', '/a/../etc/passwd.wav', '/a b.wav', "/a'b.wav", '/a.wav;rm', '/x.txt']) expect(() => filePlayable(bad), bad).toThrow(UnsafePromptError);
    expect(tonePlayable('tone_stream://%(500,0,1000);loops=2')).toContain('loops=2');
    expect(() => tonePlayable("tone_stream://%(1) 'x")).toThrow(UnsafePromptError);
    expect(joinPlayables(['a', 'b'])).toBe('file_string://a!b');
    expect(joinPlayables(['a'])).toBe('a');
  });

  it('records to a safe path with a clamped time limit', () => {
    expect(recordArgs('/vm/sales/1.wav', 900)).toBe('/vm/sales/1.wav 600 200 5');
    expect(() => recordArgs('/vm/../x.wav', 10)).toThrow(UnsafePromptError);
  });
});
