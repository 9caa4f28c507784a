/**
 * mod_dptools' start_dtmf_generate / stop_dtmf_generate (switch_ivr_inband_dtmf_generate_session):
 * received digits become tones in the read stream. A test application stands for the endpoint,
 * queueing `<digits> <source>` as received; frames are pushed through the media table.
 */
import { describe, expect, it } from 'vitest';
import { staticDialplan } from '../src/dialplan/dialplan.ts';
import type { AudioFrame } from '../src/index.ts';
import { encodeFrame } from '../src/media/g711.ts';
import { energyOf, linearOf } from '../src/media/tape.ts';
import { DtmfDetector } from '../src/media/teletone_detect.ts';
import { callNull as call, farEndDtmf as farEnd, setup, stopSetup as stop } from './switch_helpers.ts';

const quiet: AudioFrame = { codec: 'PCMU', payload: encodeFrame('PCMU', new Int16Array(160).fill(100)), samples: 160 };

describe('start_dtmf_generate', () => {
  it('a received digit is no digit: a DTMF event native:inband, then after 10 packets its tone and 500 samples of silence', async () => {
    const t = await setup({
      applications: [farEnd],
      dialplan: staticDialplan({
        default: {
          '100': [['answer'], ['start_dtmf_generate'], ['far_end_dtmf', '5 RTP'], ['park']],
        },
      }),
    });
    const uuid = await call(t, '100');
    const dtmf = t.sub
      .take()
      .filter((e) => e.type === 'DTMF')
      .map((e) => [e.getHeader('DTMF-Digit'), e.getHeader('DTMF-Duration'), e.getHeader('DTMF-Source'), e.getHeader('DTMF-Conversion')]);
    expect(dtmf).toEqual([['5', '800', 'APP', 'native:inband']]);
    expect(await t.sw.api(`uuid_buglist ${uuid}`)).toContain('<function>inband_dtmf_generate</function>');
    const heard: number[] = [];
    const detector = new DtmfDetector(8000);
    t.sw.core.media.attach('sink', {
      codec: 'PCMU',
      write: (f) => {
        heard.push(energyOf(linearOf(f)));
        detector.detect(linearOf(f));
      },
    });
    t.sw.core.media.route(uuid, 'sink');
    for (let i = 0; i < 20; i++) t.sw.core.media.deliver(uuid, quiet);
    const q = energyOf(linearOf(quiet));
    // 10 packets as they came, 5 of tone (800 samples), the 500 samples of silence (the last packet
    // padded with zeros, as the C pads a short read of its buffer), then the stream again
    expect(heard.slice(0, 10)).toEqual(Array(10).fill(q));
    expect(heard.slice(10, 15).every((e) => e > 10 * q)).toBe(true);
    expect(heard.slice(15, 19)).toEqual([0, 0, 0, 0]);
    expect(heard.slice(19)).toEqual([q]);
    // what is heard is a 5
    expect(detector.take()?.digit).toBe('5');
    expect(await t.sw.sendExecute(uuid, 'stop_dtmf_generate')).toBe(true);
    await t.settle();
    expect(await t.sw.api(`uuid_buglist ${uuid}`)).toBe('<media-bugs>\n</media-bugs>\n');
    // stopped: digits are digits again
    t.sub.take();
    expect(await t.sw.sendExecute(uuid, 'far_end_dtmf', '6 RTP')).toBe(true);
    await t.settle();
    expect(
      t.sub
        .take()
        .filter((e) => e.type === 'DTMF')
        .map((e) => e.getHeader('DTMF-Source')),
    ).toEqual(['RTP']);
    await stop(t);
  });
});
