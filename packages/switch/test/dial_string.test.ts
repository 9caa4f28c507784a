import { describe, expect, it } from 'vitest';
import {
  Cause,
  ORIGINATE_USAGE,
  errorEndpointCause,
  legVars,
  parseDialString,
  parseLoopbackTarget,
  parseNullTarget,
  parseOriginateArgs,
  type DialString,
  type DialStringResult,
} from '../src/index.ts';

function dial(text: string): DialString {
  const r = parseDialString(text);
  if (!r.ok || !('dial' in r)) throw new Error(`not a simple dial string: ${JSON.stringify(r)}`);
  return r.dial;
}

const legs = (d: DialString) => d.groups.map((g) => g.map((l) => `${l.endpoint}|${l.data ?? '<none>'}`));

describe('dial strings', () => {
  it('one leg: endpoint, data, destination', () => {
    const d = dial('null/1234');
    expect(d.vars).toEqual([]);
    expect(d.groups).toEqual([[{ vars: [], endpoint: 'null', data: '1234', destination: '1234' }]]);
  });

  it('the data is everything after the first /; no data means destination service', () => {
    expect(dial('loopback/1000/default/XML').groups[0]![0]).toMatchObject({ endpoint: 'loopback', data: '1000/default/XML' });
    expect(dial('error').groups[0]![0]).toMatchObject({ endpoint: 'error', data: undefined, destination: 'service' });
    expect(dial('error/').groups[0]![0]).toMatchObject({ data: '', destination: 'service' });
  });

  it('{global vars} and <ultra-global vars>, several groups, later names win', () => {
    const d = dial("<a=1>{b=2,origination_caller_id_name='Alice Smith'}{a=3,c=x=y}null/1");
    expect(d.vars).toEqual([
      ['b', '2'],
      ['origination_caller_id_name', 'Alice Smith'],
      ['a', '3'],
      ['c', 'x=y'],
    ]);
  });

  it('a pair without = is skipped; ^^X changes the separator', () => {
    expect(dial('{novalue,a=1}null/1').vars).toEqual([['a', '1']]);
    expect(dial('{^^:a=1,2:b=3}null/1').vars).toEqual([
      ['a', '1,2'],
      ['b', '3'],
    ]);
  });

  it(', dials at once, | one after the other; leading blanks go', () => {
    const d = dial('{x=1} null/1, null/2 |error/user_busy|  loopback/9');
    expect(legs(d)).toEqual([['null|1', 'null|2'], ['error|user_busy'], ['loopback|9']]);
  });

  it('[leg vars] belong to one leg and win over the globals', () => {
    const d = dial('{a=1,b=2}[b=3,c=4]null/1,[a=5]null/2,null/3');
    expect(d.groups[0]!.map((l) => l.vars)).toEqual([
      [
        ['b', '3'],
        ['c', '4'],
      ],
      [['a', '5']],
      [],
    ]);
    expect(legVars(d, d.groups[0]![0]!)).toEqual([
      ['a', '1'],
      ['b', '3'],
      ['c', '4'],
    ]);
  });

  it('a comma inside [...] needs \\, or ^^ (quotes do not protect it there)', () => {
    expect(dial('[a=x\\,y]null/1').groups[0]![0]!.vars).toEqual([['a', 'x,y']]);
    expect(dial('[^^:a=x,y:b=2]null/1').groups[0]![0]!.vars).toEqual([
      ['a', 'x,y'],
      ['b', '2'],
    ]);
    expect(dial("[a='x,y']null/1").groups[0]![0]!.vars).toEqual([['a', 'x']]);
    expect(legs(dial("[a='x,y']null/1,null/2"))).toEqual([['null|1', 'null|2']]);
  });

  it('several [..] groups on one leg', () => {
    expect(dial('[a=1][b=2]null/1').groups[0]![0]!.vars).toEqual([
      ['a', '1'],
      ['b', '2'],
    ]);
  });

  it('an empty leg is an endpoint named "" (CHAN_NOT_IMPLEMENTED later)', () => {
    expect(legs(dial('null/1,,null/2'))).toEqual([['null|1', '|<none>', 'null|2']]);
  });

  it('errors are DESTINATION_OUT_OF_ORDER, as FreeSWITCH answers them', () => {
    const fail = (text: string): DialStringResult => parseDialString(text);
    expect(fail('{a=1null/1')).toEqual({ ok: false, cause: Cause.DESTINATION_OUT_OF_ORDER, log: 'Parse Error!' });
    expect(fail('<a=1null/1')).toEqual({ ok: false, cause: Cause.DESTINATION_OUT_OF_ORDER, log: 'Parse Error!' });
    expect(fail('[a=1null/1')).toEqual({ ok: false, cause: Cause.DESTINATION_OUT_OF_ORDER, log: 'Parse Error!' });
    expect(fail('{a=1}')).toEqual({ ok: false, cause: Cause.DESTINATION_OUT_OF_ORDER, log: 'No origination URL specified!' });
    expect(fail('   ')).toEqual({ ok: false, cause: Cause.DESTINATION_OUT_OF_ORDER, log: 'No origination URL specified!' });
  });

  it(':_: makes an enterprise originate: <vars> for all, each branch its own dial string', () => {
    const r = parseDialString('<a=1>{b=2}null/1:_:{c=3}null/2,null/3');
    expect(r.ok && 'enterprise' in r).toBe(true);
    if (!r.ok || !('enterprise' in r)) return;
    expect(r.enterprise.vars).toEqual([
      ['a', '1'],
      ['ignore_early_media', 'true'],
    ]);
    expect(r.enterprise.branches.map((b) => [b.vars, legs(b)])).toEqual([
      [[['b', '2']], [['null|1']]],
      [[['c', '3']], [['null|2', 'null|3']]],
    ]);
  });
});

describe('endpoint addresses', () => {
  it('loopback: exten, context, dialplan with defaults; channel names', () => {
    expect(parseLoopbackTarget('1000')).toEqual({
      exten: '1000',
      context: 'default',
      dialplan: 'xml',
      nameA: 'loopback/1000-a',
      nameB: 'loopback/1000-b',
    });
    expect(parseLoopbackTarget('1000/public/XML')).toMatchObject({ exten: '1000', context: 'public', dialplan: 'XML', nameA: 'loopback/1000-a' });
    expect(parseLoopbackTarget('1000//x/y')).toMatchObject({ context: 'default', dialplan: 'x/y' });
  });

  it('loopback/app=<app>[:<arg>] runs an application on the B leg', () => {
    expect(parseLoopbackTarget('APP=echo')).toMatchObject({ exten: 'echo', app: 'echo', nameB: 'loopback/echo-b' });
    expect(parseLoopbackTarget('app=playback:/tmp/a.wav')).toMatchObject({ exten: 'playback', app: 'playback', appArg: '/tmp/a.wav' });
  });

  it('null: options from the originate variables; cause- refuses', () => {
    const vars = (o: Record<string, string>) => (n: string) => o[n];
    expect(parseNullTarget('1234', vars({}))).toEqual({
      refuse: false,
      name: 'null/1234',
      autoAnswer: true,
      autoAnswerDelayMs: 0,
      preAnswer: false,
      rate: 8000,
    });
    expect(
      parseNullTarget('1234', vars({ null_enable_auto_answer: 'false', null_auto_answer_delay: '99999', null_pre_answer: 'true', rate: '16000' })),
    ).toMatchObject({ autoAnswer: false, autoAnswerDelayMs: 60000, preAnswer: true, rate: 16000 });
    expect(parseNullTarget('1', vars({ rate: '11025', null_auto_answer_delay: '-5' }))).toMatchObject({ rate: 8000, autoAnswerDelayMs: 0 });
    expect(parseNullTarget('cause-CALL_REJECTED', vars({}))).toEqual({ refuse: true, cause: Cause.CALL_REJECTED, name: 'null/cause-CALL_REJECTED' });
    expect(parseNullTarget('1', vars({ null_hangup_cause: 'user_busy' }))).toMatchObject({ refuse: true, cause: Cause.USER_BUSY });
    expect(parseNullTarget('Cause-USER_BUSY', vars({})).refuse).toBe(false);
  });

  it('error: the cause named (any case or number); 0 is DESTINATION_OUT_OF_ORDER; unknown and empty NORMAL_CLEARING', () => {
    expect(errorEndpointCause('user_busy')).toBe(Cause.USER_BUSY);
    expect(errorEndpointCause('21')).toBe(Cause.CALL_REJECTED);
    expect(errorEndpointCause('0')).toBe(Cause.DESTINATION_OUT_OF_ORDER);
    expect(errorEndpointCause('bogus')).toBe(Cause.NORMAL_CLEARING);
    expect(errorEndpointCause('service')).toBe(Cause.NORMAL_CLEARING);
  });
});

describe('originate arguments', () => {
  it('url and &app(arg); defaults XML, default, 60 s', () => {
    expect(parseOriginateArgs('null/1234 &park()')).toEqual({
      ok: true,
      args: {
        url: 'null/1234',
        target: { kind: 'application', application: 'park', arg: '' },
        dialplan: 'XML',
        context: 'default',
        cidName: undefined,
        cidNum: undefined,
        timeoutSec: 60,
      },
    });
  });

  it('&app without parentheses has no arg; the name is cut at the first ) then (', () => {
    const target = (cmd: string) => {
      const r = parseOriginateArgs(cmd);
      return r.ok ? r.args.target : r.output;
    };
    expect(target('null/1 &park')).toEqual({ kind: 'application', application: 'park', arg: undefined });
    expect(target('null/1 &playback(/tmp/a.wav)')).toEqual({ kind: 'application', application: 'playback', arg: '/tmp/a.wav' });
    expect(target('null/1 &bridge(a(b))')).toEqual({ kind: 'application', application: 'bridge', arg: 'a(b' });
    expect(target('null/1 &')).toEqual({ kind: 'extension', extension: '&' });
  });

  it('an extension with dialplan, context, caller id and timeout; undef skips a position', () => {
    const r = parseOriginateArgs("loopback/1000 9999 XML public 'Alice Smith' 1001 30");
    expect(r).toEqual({
      ok: true,
      args: {
        url: 'loopback/1000',
        target: { kind: 'extension', extension: '9999' },
        dialplan: 'XML',
        context: 'public',
        cidName: 'Alice Smith',
        cidNum: '1001',
        timeoutSec: 30,
      },
    });
    const u = parseOriginateArgs('null/1 9999 undef UNDEF undef 1001 0');
    expect(u.ok && u.args).toMatchObject({ dialplan: 'XML', context: 'default', cidName: undefined, cidNum: '1001', timeoutSec: 60 });
  });

  it('quoted blanks stay in the url (and the quotes go)', () => {
    const r = parseOriginateArgs("{origination_caller_id_name='A B'}null/1 &park()");
    expect(r.ok && r.args.url).toBe('{origination_caller_id_name=A B}null/1');
  });

  it('fewer than 2 or more than 7 words, or nothing, is the usage text', () => {
    expect(ORIGINATE_USAGE).toBe(
      '-USAGE: <call url> <exten>|&<application_name>(<app_args>) [<dialplan>] [<context>] [<cid_name>] [<cid_num>] [<timeout_sec>]\n',
    );
    for (const cmd of ['', 'null/1', 'a b c d e f g h', 'a b c d e f g h i j k l'])
      expect(parseOriginateArgs(cmd), cmd).toEqual({ ok: false, output: ORIGINATE_USAGE });
    expect(parseOriginateArgs('null/1 undef')).toEqual({ ok: false, output: ORIGINATE_USAGE });
  });
});
