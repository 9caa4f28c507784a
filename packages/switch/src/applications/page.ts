/**
 * mod_dptools' `page` application (page_function): `[<var=value,…>]<dial>[:_:<dial>…]`, else the
 * channel's `page_data`. With no `page_path` it plays `page_beep` (default a half-second 620 Hz
 * tone; digits do not stop it), then records the caller to `<temp_dir>/<uuid>.wav` as `record`
 * does — until a playback terminator, `page_record_limit` seconds (a leading `+` allowed), the
 * silence (`page_record_thresh`, `page_record_silence_hits`) or the hangup — and deletes that file
 * once the paged calls are over. The calls are then made as the `page` API makes them
 * (page_calls.ts): `page_exten` (default `playback:<file>`), `page_dp` (default `inline`),
 * `page_context`, `page_chunk_size` (default 10). The application does not wait for them.
 */
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Channel } from '../channel/channel.ts';
import { atoi } from '../internal/strings.ts';
import { playFile } from './media.ts';
import { runScript } from './media_script.ts';
import { PAGE_CHUNK_SIZE, launchCallMonitor } from './page_calls.ts';
import { recordFile } from './record.ts';
import { atoui } from './recording_model.ts';
import { FILE_RECORDING_SINK } from './recording_sink.ts';
import type { Application } from './types.ts';

const DEFAULT_BEEP = 'tone_stream://%(500,0, 620)';

export const PAGE_APPLICATION: Application = {
  name: 'page',
  needsMedia: true,
  run: (ch, data, done) =>
    runScript(async (s) => {
      const pdata = data || ch.variable('page_data');
      if (!pdata) {
        ch.core.log('ERR', 'No channels specified.', ch.uuid);
        return;
      }
      const number = (name: string) => atoui(atoi(ch.variable(name) ?? ''));
      const limitText = ch.variable('page_record_limit');
      const limit = atoui(atoi(limitText?.startsWith('+') ? limitText.slice(1) : (limitText ?? '')));
      const chunk = number('page_chunk_size');
      ch.setVariable('playback_terminator_used', undefined);
      let path = ch.variable('page_path');
      const deleteAfter = path === undefined;
      if (path === undefined) {
        const file = join(ch.core.globals.get('temp_dir') ?? tmpdir(), `${ch.uuid}.wav`);
        path = file;
        await s.step((stepDone) => playFile(ch, ch.variable('page_beep') ?? DEFAULT_BEEP, stepDone));
        const record = { path: file, limit, thresh: number('page_record_thresh'), silenceHits: number('page_record_silence_hits') };
        await s.step((stepDone) => recordFile(ch, record, FILE_RECORDING_SINK, stepDone));
      }
      if (!existsSync(path)) {
        ch.core.log('ERR', `File ${path} does not exist`, ch.uuid);
        return;
      }
      // the calls are made from the switch's side of the channel, which an application only reaches through its Channel
      if (!(ch instanceof Channel)) return;
      launchCallMonitor(ch.ctx, ch.services, {
        path,
        deleteAfter,
        data: pdata,
        chunk: chunk > 0 ? chunk : PAGE_CHUNK_SIZE,
        exten: ch.variable('page_exten') || `playback:${path}`,
        dialplan: ch.variable('page_dp') ?? 'inline',
        context: ch.variable('page_context'),
      });
    }, done),
};
