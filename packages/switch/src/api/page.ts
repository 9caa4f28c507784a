/**
 * mod_dptools' `page` API (page_api_function): `(name=value,…)<dial>[:_:<dial>…]`. The `(…)`
 * variables configure the page: `page_path` (a file that exists, required), `page_exten` (default
 * `playback:<path>`), `page_dp` (default `inline`), `page_context`, `page_chunk_size` (calls in
 * progress at once, default 10) and `page_data` (the dial strings, when none follow). The calls are
 * made as the application makes them (applications/page_calls.ts). The command writes nothing.
 */
import { existsSync } from 'node:fs';
import { PAGE_CHUNK_SIZE, allBrackets, launchCallMonitor } from '../applications/page_calls.ts';
import { atoi } from '../internal/strings.ts';
import type { ApiEnv } from './registry.ts';

export function page(args: string, env: ApiEnv): string {
  if (args === '') return '-ERR no data';
  const parsed = allBrackets(args, '(', ')');
  if (!parsed || parsed.groups === 0) {
    env.core.log('ERR', 'Parse Error!');
    return '';
  }
  // a later pair wins: the brackets make a CHANNEL_DATA event, whose header names are unique
  const get = (name: string): string | undefined => {
    for (let i = parsed.vars.length - 1; i >= 0; i--) if (parsed.vars[i]![0] === name) return parsed.vars[i]![1];
    return undefined;
  };
  const data = parsed.rest || get('page_data');
  if (!data) {
    env.core.log('ERR', 'No channels specified.');
    return '';
  }
  const path = get('page_path');
  if (path === undefined) {
    env.core.log('ERR', 'No file specified.');
    return '';
  }
  if (!existsSync(path)) {
    env.core.log('ERR', `File ${path} does not exist`);
    return '';
  }
  const chunk = atoi(get('page_chunk_size') ?? '');
  launchCallMonitor(env.ctx, env.sw.services, {
    path,
    deleteAfter: false,
    data,
    chunk: chunk > 0 ? chunk : PAGE_CHUNK_SIZE,
    exten: get('page_exten') || `playback:${path}`,
    dialplan: get('page_dp') ?? 'inline',
    context: get('page_context'),
  });
  return '';
}
