import { describe, expect, it } from 'vitest';
import { type LogRecord, formatLogLine, logLevel2Str, logPasses, logStr2Level } from '../src/index.ts';
import { setup } from './switch_helpers.ts';

describe('log levels (switch_log.c)', () => {
  it('names in any case, DISABLE, numbers clamped, anything else INVALID (64)', () => {
    expect(['console', 'ALERT', 'Crit', 'err', 'warning', 'notice', 'info', 'debug'].map(logStr2Level)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(logStr2Level('disable')).toBe(-1);
    expect(logStr2Level('error')).toBe(64);
    expect(logStr2Level('warn')).toBe(64);
    expect(logStr2Level('7')).toBe(7);
    expect(logStr2Level('-3')).toBe(0);
    expect(logStr2Level('64')).toBe(64);
    expect(logStr2Level('99')).toBe(63);
  });
  it('level2str: above DEBUG prints DEBUG', () => {
    expect([0, 3, 7, 42].map(logLevel2Str)).toEqual(['CONSOLE', 'ERR', 'DEBUG', 'DEBUG']);
  });
  it('a message passes when its level <= the consumer level; DISABLE passes nothing', () => {
    expect(logPasses(5, 5)).toBe(true);
    expect(logPasses(6, 5)).toBe(false);
    expect(logPasses(0, -1)).toBe(false);
    expect(logPasses(105, 1)).toBe(true);
  });
  it('the console line', () => {
    const epochUs = Date.UTC(2024, 8, 3, 12, 11, 12) * 1000 + 123456;
    expect(
      formatLogLine({
        epochUs,
        utcOffsetMinutes: 0,
        idleCpu: 98.7333,
        level: 5,
        file: 'switch_channel.c',
        line: 1133,
        message: 'New Channel loopback/1000-a [6a1f]',
      }),
    ).toBe('2024-09-03 12:11:12.123456 98.73% [NOTICE] switch_channel.c:1133 New Channel loopback/1000-a [6a1f]');
    expect(formatLogLine({ epochUs, utcOffsetMinutes: 120, idleCpu: 0, level: 7, file: 'x.c', line: 1, message: 'm' })).toBe(
      '2024-09-03 14:11:12.123456 0.00% [DEBUG] x.c:1 m',
    );
  });
});

describe('log call sites (log/sites.ts)', () => {
  it("channel lines carry FreeSWITCH's file, function and line, and the console line shows file:line", async () => {
    const { sw, settle, rt } = await setup();
    const records: LogRecord[] = [];
    sw.core.logger.subscribe(7, (r) => records.push(r));
    await sw.originate('null/1 1000');
    await settle();
    const at = (text: RegExp) => {
      const r = records.find((x) => text.test(x.text));
      return r && `${r.file} ${r.func} ${r.line} | ${r.data.slice(r.data.indexOf('['))}`;
    };
    expect(at(/^New Channel/)).toMatch(/^switch_channel\.c switch_channel_set_name 1143 \| \[NOTICE\] switch_channel\.c:1143 New Channel null\/1 \[/);
    expect(at(/State Change CS_NEW -> CS_INIT/)).toMatch(
      /^switch_channel\.c switch_channel_perform_set_state 2616 \| \[DEBUG\] switch_channel\.c:2616 \(null\/1\)/,
    );
    expect(at(/^EXECUTE/)).toMatch(
      /^switch_core_session\.c switch_core_session_exec 2904 \| \[INFO\] switch_core_session\.c:2904 EXECUTE \[depth=0\] null\/1 answer\(\)/,
    );
    expect(at(/has been answered/)).toMatch(/^switch_channel\.c switch_channel_perform_mark_answered 3885 /);
    await sw.stop();
    await rt.stop();
  });
});
