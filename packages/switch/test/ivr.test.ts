import { describe, expect, it } from 'vitest';
import { receivedDigits } from '../src/api/media_commands.ts';
import { BUILT_IN_DTMF } from '../src/channel/dtmf_string.ts';
import { parsePlayAndGetDigitsArgs, parseReadArgs } from '../src/applications/ivr.ts';
import { staticDialplan } from '../src/dialplan/dialplan.ts';
import type { SwitchEvent } from '../src/index.ts';
import { type Setup, setup } from './switch_helpers.ts';

const A = '11111111-1111-4111-8111-111111111111';

/** A loopback call to `exten`: its A half (A) parked; the B half runs the extension. */
async function call(t: Setup, exten: string): Promise<void> {
  expect(await t.sw.originate(`{origination_uuid=${A}}loopback/${exten} &park()`)).toBe(`+OK ${A}\n`);
  await t.settle();
}

/** Digits from A's far end: they reach the B half (mod_loopback). */
async function dial(t: Setup, digits: string): Promise<void> {
  expect(await t.sw.api(`uuid_send_dtmf ${A} ${digits}`)).toMatch(/^\+OK /);
  await t.settle();
}

async function advance(t: Setup, ms: number): Promise<void> {
  await t.clock.advance(ms);
  await t.settle();
}

/** The B half's CHANNEL_EXECUTE_COMPLETE events of `app` so far. */
function completed(events: SwitchEvent[], app: string): SwitchEvent[] {
  return events.filter((e) => e.type === 'CHANNEL_EXECUTE_COMPLETE' && e.getHeader('Application') === app && e.getHeader('Unique-ID') !== A);
}

const vars = (e: SwitchEvent | undefined, ...names: string[]) => names.map((n) => e?.getHeader(`variable_${n}`) ?? '-');

function start() {
  return setup({
    dialplan: staticDialplan({
      default: {
        pagd: [['answer'], ['play_and_get_digits', '2 4 3 5000 # silence_stream://1000 silence_stream://500 pin ^1\\d+ 2000'], ['park']],
        pagd_fail: [
          ['answer'],
          ['play_and_get_digits', "1 1 2 1000 # silence_stream://100 silence_stream://100 opt \\d 1000 '9000 XML default'"],
          ['park'],
        ],
        read: [['answer'], ['read', '1 3 silence_stream://2000 choice 3000 +#'], ['park']],
        read_x: [['answer'], ['read', '2 5 silence silence_x 3000 x*'], ['park']],
        queued: [['answer'], ['sleep', '1000'], ['read', '1 2 silence_stream://5000 early 3000 #'], ['park']],
        sleep: [['answer'], ['sleep', '5000'], ['set', 'woke=1'], ['sleep', '5000'], ['read', '1 2 silence_stream://100 early 3000 #'], ['park']],
        sleep_eat: [['answer'], ['set', 'sleep_eat_digits=true'], ['sleep', '5000'], ['read', '1 2 silence_stream://100 early 1000 #'], ['park']],
        sleep_none: [['answer'], ['sleep', ''], ['park']],
        read_now: [['read', '1 2 silence early 1000 #'], ['park']],
        flushed: [['answer'], ['sleep', '1000'], ['flush_dtmf'], ['read', '1 2 silence_stream://100 early 1000 #'], ['park']],
        play: [['answer'], ['playback', 'silence_stream://5000'], ['park']],
        '9000': [['set', 'failed_over=yes'], ['park']],
      },
    }),
  });
}

describe('read and play_and_get_digits: arguments (mod_dptools)', () => {
  it('read: at least one digit, max at least min, a timeout of at least 1000 ms, # by default', () => {
    expect(parseReadArgs('0 0 prompt.wav v 10')).toEqual({
      min: 1,
      max: 1,
      prompt: 'prompt.wav',
      variable: 'v',
      timeout: 1000,
      terminators: '#',
      digitTimeout: 0,
    });
    expect(parseReadArgs('2 5 p.wav v 7000 *# 1500')).toMatchObject({ min: 2, max: 5, timeout: 7000, terminators: '*#', digitTimeout: 1500 });
  });

  it('no arguments: ERR `No arguments specified.` and the application ends', async () => {
    const t = await start();
    for (const app of ['read', 'play_and_get_digits']) {
      await t.sw.originate(`null/1 &${app}()`);
      await t.settle();
    }
    expect(t.logs.filter((l) => l === 'ERR No arguments specified.')).toHaveLength(2);
    expect(await t.sw.api('show channels count')).toBe('\n0 total.\n');
    await t.sw.stop();
    await t.rt.stop();
  });

  it('play_and_get_digits: min may be 0; quoted failure target; the regex as given', () => {
    const spec = parsePlayAndGetDigitsArgs("0 3 2 8000 # p.wav bad.wav v ^\\d+$ 3000 '9000 XML public'");
    expect(spec).toEqual({
      min: 0,
      max: 3,
      tries: 2,
      timeout: 8000,
      terminators: '#',
      prompt: 'p.wav',
      invalidFile: 'bad.wav',
      variable: 'v',
      regex: '^\\d+$',
      digitTimeout: 3000,
      transferOnFailure: '9000 XML public',
    });
  });
});

describe('play_and_get_digits (switch_play_and_get_digits)', () => {
  it('a digit during the prompt stops it and counts; the terminator ends the input; the variable is set', async () => {
    const t = await start();
    await call(t, 'pagd');
    t.sub.take();
    await advance(t, 200);
    await dial(t, '12#');
    const done = completed(t.sub.take(), 'play_and_get_digits');
    expect(done).toHaveLength(1);
    expect(vars(done[0], 'pin', 'read_result', 'read_terminator_used', 'pin_invalid')).toEqual(['12', 'success', '#', '-']);
    await t.sw.stop();
    await t.rt.stop();
  });

  it('input the regex refuses: cleared, kept in <var>_invalid, the invalid file, the next try', async () => {
    const t = await start();
    await call(t, 'pagd');
    await dial(t, '99#');
    expect(completed(t.sub.take(), 'play_and_get_digits')).toHaveLength(0);
    expect(t.sub.take()).toEqual([]);
    // the invalid file (500 ms), then the second prompt
    await advance(t, 500);
    await dial(t, '1234');
    const done = completed(t.sub.take(), 'play_and_get_digits');
    expect(vars(done[0], 'pin', 'pin_invalid', 'read_result')).toEqual(['1234', '99', 'success']);
    await t.sw.stop();
    await t.rt.stop();
  });

  it('timeouts: the first digit within 5000 ms, the next within the digit timeout; too few digits try again, and are a failure', async () => {
    const t = await start();
    await call(t, 'pagd');
    // try 1: prompt 1000 ms, then nothing for 5000 ms
    await advance(t, 1000);
    await advance(t, 4999);
    expect(completed(t.sub.take(), 'play_and_get_digits')).toHaveLength(0);
    await advance(t, 1);
    // try 2 after the invalid file: one digit, then the 2000 ms digit timeout; too small
    await advance(t, 500);
    await advance(t, 1000);
    await dial(t, '1');
    await advance(t, 2000);
    // try 3: no input at all
    await advance(t, 500 + 1000 + 5000);
    expect(completed(t.sub.take(), 'play_and_get_digits')).toHaveLength(0);
    await advance(t, 500);
    const done = completed(t.sub.take(), 'play_and_get_digits');
    expect(done).toHaveLength(1);
    // no digit at all is too few (min 2): read_result says failure, not timeout
    expect(vars(done[0], 'pin', 'read_result')).toEqual(['-', 'failure']);
    await t.sw.stop();
    await t.rt.stop();
  });

  it('every try failed and a failure extension is given: WARNING and a transfer there', async () => {
    const t = await start();
    await call(t, 'pagd_fail');
    await advance(t, 100 + 1000 + 100);
    await advance(t, 100 + 1000 + 100);
    expect(t.logs).toContain('WARNING PAGD failure! Transfer to: 9000 / XML / default');
    const routed = t.logs.filter((l) => l.includes('Processing ') && l.includes('->9000'));
    expect(routed).toHaveLength(1);
    await t.sw.stop();
    await t.rt.stop();
  });
});

describe('a hangup ends them wherever they are', () => {
  it('during the prompt, the input and the invalid file: EXECUTE_COMPLETE, and the call goes away', async () => {
    // after 500 ms: in the prompt; after 3000: waiting for digits; after 6200: the invalid file
    for (const at of [500, 3000, 6200]) {
      const t = await start();
      await call(t, 'pagd');
      await advance(t, at);
      expect(await t.sw.api(`uuid_kill ${A}`)).toBe('+OK\n');
      await t.settle();
      const events = t.sub.take();
      expect(completed(events, 'play_and_get_digits')).toHaveLength(1);
      expect(events.filter((e) => e.type === 'CHANNEL_DESTROY')).toHaveLength(2);
      expect(await t.sw.api('show channels count')).toBe('\n0 total.\n');
      await t.sw.stop();
      await t.rt.stop();
    }
  });
});

describe('read (switch_ivr_read)', () => {
  it('`+#` keeps the terminator in the digits; max digits end the input without one', async () => {
    const t = await start();
    await call(t, 'read');
    await dial(t, '7#');
    let done = completed(t.sub.take(), 'read');
    expect(vars(done[0], 'choice', 'read_result', 'read_terminator_used')).toEqual(['7#', 'success', '#']);
    await t.sw.stop();
    await t.rt.stop();

    const u = await start();
    await call(u, 'read');
    await dial(u, '123');
    done = completed(u.sub.take(), 'read');
    expect(vars(done[0], 'choice', 'read_result')).toEqual(['123', 'success']);
    await u.sw.stop();
    await u.rt.stop();
  });

  it('an `x` terminator is kept and ends the read as a restart (read_result failure); too few digits are a failure but are still kept', async () => {
    const t = await start();
    await call(t, 'read_x');
    await dial(t, '45*');
    let done = completed(t.sub.take(), 'read');
    expect(vars(done[0], 'silence_x', 'read_result')).toEqual(['45*', 'failure']);
    await t.sw.stop();
    await t.rt.stop();

    const u = await start();
    await call(u, 'read_x');
    await dial(u, '4');
    await advance(u, 3000);
    done = completed(u.sub.take(), 'read');
    expect(vars(done[0], 'silence_x', 'read_result')).toEqual(['4', 'failure']);
    await u.sw.stop();
    await u.rt.stop();
  });

  it('digits sent before a read wait in the channel’s queue: the prompt ends at once; flush_dtmf drops them', async () => {
    const t = await start();
    await call(t, 'queued');
    await dial(t, '42');
    await advance(t, 1000);
    const done = completed(t.sub.take(), 'read');
    expect(vars(done[0], 'early', 'read_result')).toEqual(['42', 'success']);
    await t.sw.stop();
    await t.rt.stop();

    // the digit ends the sleep at once (switch_ivr_sleep), then flush_dtmf drops it
    const u = await start();
    await call(u, 'flushed');
    await dial(u, '4');
    await advance(u, 1000);
    expect(completed(u.sub.take(), 'read')).toHaveLength(0);
    await advance(u, 100 + 1000);
    expect(vars(completed(u.sub.take(), 'read')[0], 'early', 'read_result')).toEqual(['-', 'failure']);
    await u.sw.stop();
    await u.rt.stop();
  });
});

describe('sleep (switch_ivr_sleep)', () => {
  it('a digit ends it at once and stays queued for the next reader; one queued before it starts ends it too', async () => {
    const t = await start();
    await call(t, 'sleep');
    await advance(t, 1000);
    expect(completed(t.sub.take(), 'sleep')).toHaveLength(0);
    await dial(t, '4');
    await advance(t, 0);
    // the second sleep ends at once: the digit still waits; the read takes it
    expect(completed(t.sub.take(), 'sleep')).toHaveLength(2);
    await advance(t, 3000);
    expect(vars(completed(t.sub.take(), 'read')[0], 'early', 'woke')).toEqual(['4', '1']);
    await t.sw.stop();
    await t.rt.stop();
  });

  it('sleep_eat_digits: digits are read and dropped, a playback_terminators digit ends it (playback_terminator_used)', async () => {
    const t = await start();
    await call(t, 'sleep_eat');
    await dial(t, '12');
    await advance(t, 1000);
    expect(completed(t.sub.take(), 'sleep')).toHaveLength(0);
    await dial(t, '*');
    const done = completed(t.sub.take(), 'sleep');
    expect(vars(done[0], 'playback_terminator_used')).toEqual(['*']);
    await advance(t, 1200);
    expect(vars(completed(t.sub.take(), 'read')[0], 'early', 'read_result')).toEqual(['-', 'failure']);
    await t.sw.stop();
    await t.rt.stop();
  });

  it('no time: ERR `No timeout specified.` and it ends', async () => {
    const t = await start();
    await call(t, 'sleep_none');
    expect(completed(t.sub.take(), 'sleep')).toHaveLength(1);
    expect(t.logs).toContain('ERR No timeout specified.');
    await t.sw.stop();
    await t.rt.stop();
  });
});

describe('PLAYBACK_START and PLAYBACK_STOP (switch_ivr_play_file)', () => {
  it('around each file played: the path (and the stream type), then the status and the playback_* variables', async () => {
    const t = await start();
    await call(t, 'play');
    await advance(t, 1200);
    await dial(t, '*');
    const events = t.sub.take().filter((e) => e.type.startsWith('PLAYBACK_') && e.getHeader('Unique-ID') !== A);
    expect(events.map((e) => [e.type, e.getHeader('Playback-File-Path'), e.getHeader('Playback-Status') ?? '-'])).toEqual([
      ['PLAYBACK_START', 'silence_stream://5000', '-'],
      ['PLAYBACK_STOP', 'silence_stream://5000', 'break'],
    ]);
    expect(vars(events[1], 'playback_ms', 'playback_seconds', 'playback_samples')).toEqual(['1200', '1', '9600']);
    await t.sw.stop();
    await t.rt.stop();

    // a tone stream is named as such; played to its end it is done, after its own length (not playback_duration_ms)
    const u = await start();
    await u.sw.originate(`{origination_uuid=${A},playback_duration_ms=300}null/1 '&playback(tone_stream://%(100,0,350))'`);
    await u.settle();
    await advance(u, 300);
    const stop = u.sub.take().find((e) => e.type === 'PLAYBACK_STOP');
    expect([stop?.getHeader('Playback-File-Type'), stop?.getHeader('Playback-Status')]).toEqual(['tone_stream', 'done']);
    expect(vars(stop, 'playback_ms')).toEqual(['100']);
    await u.sw.stop();
    await u.rt.stop();
  });

  it('play_and_get_digits plays its prompt and its invalid file as files: a START and a STOP for each', async () => {
    const t = await start();
    await call(t, 'pagd');
    await dial(t, '99#');
    await advance(t, 500);
    const played = t.sub
      .take()
      .filter((e) => e.type.startsWith('PLAYBACK_') && e.getHeader('Unique-ID') !== A)
      .map((e) => `${e.type} ${e.getHeader('Playback-File-Path')} ${e.getHeader('Playback-Status') ?? ''}`.trim());
    expect(played).toEqual([
      'PLAYBACK_START silence_stream://1000',
      'PLAYBACK_STOP silence_stream://1000 break',
      'PLAYBACK_START silence_stream://500',
      'PLAYBACK_STOP silence_stream://500 done',
      'PLAYBACK_START silence_stream://1000',
    ]);
    await t.sw.stop();
    await t.rt.stop();
  });
});

describe('playback and digits (mod_dptools on_dtmf)', () => {
  it('a digit in playback_terminators (default *) ends the file, FILE PLAYED; other digits are dropped', async () => {
    const t = await start();
    await call(t, 'play');
    await dial(t, '5');
    expect(completed(t.sub.take(), 'playback')).toHaveLength(0);
    await dial(t, '*');
    const done = completed(t.sub.take(), 'playback');
    expect(done.map((e) => e.getHeader('Application-Response'))).toEqual(['FILE PLAYED']);
    expect(vars(done[0], 'playback_terminator_used')).toEqual(['*']);
    await t.sw.stop();
    await t.rt.stop();
  });
});

describe('uuid_recv_dtmf and uuid_flush_dtmf (mod_commands)', () => {
  it('digits as if the far end sent them (DTMF-Source APP), read by the application running; usage and errors', async () => {
    const t = await start();
    const pagd = 'play_and_get_digits(3 3 1 5000 # silence_stream://2000 silence_stream://10 code)';
    // originate splits its arguments at blanks: the application is quoted
    expect(await t.sw.originate(`{origination_uuid=${A}}null/1 '&${pagd}'`)).toBe(`+OK ${A}\n`);
    await t.settle();
    t.sub.take();
    expect(await t.sw.api(`uuid_recv_dtmf ${A} xyz`)).toBe('-USAGE: <uuid> <dtmf_data>\n');
    expect(await t.sw.api(`uuid_recv_dtmf ${A} 4+2@100+7`)).toBe(`+OK ${A} received DTMF 4+2@100+7.\n`);
    await t.settle();
    const events = t.sub.take();
    const dtmf = events
      .filter((e) => e.type === 'DTMF')
      .map((e) => [e.getHeader('DTMF-Digit'), e.getHeader('DTMF-Duration'), e.getHeader('DTMF-Source')]);
    expect(dtmf).toEqual([
      ['4', '2000', 'APP'],
      ['2', '800', 'APP'],
      ['7', '2000', 'APP'],
    ]);
    const done = events.filter((e) => e.type === 'CHANNEL_EXECUTE_COMPLETE');
    expect(vars(done[0], 'code', 'read_result')).toEqual(['427', 'success']);
    expect(await t.sw.api(`uuid_recv_dtmf ${A}`)).toBe('-USAGE: <uuid> <dtmf_data>\n');
    expect(await t.sw.api('uuid_recv_dtmf 4a0f9c36-0000-4000-8000-000000000000 1')).toBe('-ERR Cannot locate session!\n');
    expect(await t.sw.api('uuid_flush_dtmf 4a0f9c36-0000-4000-8000-000000000000')).toBe('-ERR No such session\n');
    await t.sw.stop();
    await t.rt.stop();
  });

  it('uuid_flush_dtmf drops what waits in the queue', async () => {
    const t = await start();
    // echo reads no digits: they wait in the queue (a sleep would end on the first one)
    await t.sw.originate(`{origination_uuid=${A}}null/1 &echo()`);
    await t.settle();
    await t.sw.api(`uuid_recv_dtmf ${A} 12`);
    expect(await t.sw.api(`uuid_flush_dtmf ${A}`)).toBe('+OK\n');
    await t.sw.api(`uuid_recv_dtmf ${A} 3`);
    await t.sw.api(`uuid_transfer ${A} read_now`);
    await advance(t, 1000);
    await advance(t, 1000);
    const done = t.sub.take().filter((e) => e.type === 'CHANNEL_EXECUTE_COMPLETE' && e.getHeader('Application') === 'read');
    // one digit is enough (min 1); the input ended on the timeout
    expect(vars(done[0], 'early', 'read_result')).toEqual(['3', 'timeout']);
    await t.sw.stop();
    await t.rt.stop();
  });

  it('the digit string: groups, @ms above 50, characters that are no DTMF skipped, none at all is an error', () => {
    const warn: string[] = [];
    expect(receivedDigits('1a+2@40+#@100', (l) => warn.push(l), BUILT_IN_DTMF)).toEqual([
      { digit: '1', duration: 2000 },
      { digit: 'a', duration: 2000 },
      { digit: '2', duration: 2000 },
      { digit: '#', duration: 800 },
    ]);
    expect(receivedDigits('xyz', () => {}, BUILT_IN_DTMF)).toBeUndefined();
    expect(receivedDigits('5@30000', (l) => warn.push(l), BUILT_IN_DTMF)).toEqual([{ digit: '5', duration: 192000 }]);
    expect(warn).toEqual(['EXCESSIVE DTMF DIGIT LEN 5 240000']);
  });
});
