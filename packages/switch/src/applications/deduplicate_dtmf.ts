/**
 * mod_dptools' `deduplicate_dtmf [only_rtp]`: a receive hook that drops a digit the far end sends
 * twice by two ways (RFC 2833 and SIP INFO or inband). Until an RFC 2833 digit is seen, every
 * digit is taken but one equal to the last from another source; from then on (or from the start
 * with `only_rtp`) only RFC 2833, APP and UNKNOWN digits are. Installed once per channel: a second
 * run changes nothing.
 */
import type { DtmfSource } from '../channel/dtmf_queue.ts';
import { sync } from './dptools.ts';
import type { AppChannel, Application } from './types.ts';

interface Filter {
  onlyRtp: boolean;
  lastDigit: string;
  lastSource: DtmfSource | undefined;
}

const FILTERS = new WeakMap<AppChannel, Filter>();

/** to_dtmf_source_string. */
const SOURCE_NAMES: Readonly<Record<DtmfSource, string>> = {
  ENDPOINT: 'SIP INFO',
  INBAND_AUDIO: 'INBAND',
  RTP: '2833',
  UNKNOWN: 'UNKNOWN',
  APP: 'APP',
};

const SEEN: Partial<Record<DtmfSource, string>> = {
  ENDPOINT: 'deduplicate_dtmf_seen_endpoint',
  INBAND_AUDIO: 'deduplicate_dtmf_seen_inband',
  RTP: 'deduplicate_dtmf_seen_rtp',
};

/** deduplicate_recv_dtmf_hook: true takes the digit. */
function take(ch: AppChannel, f: Filter, digit: string, source: DtmfSource): boolean {
  const onlyRtp = f.onlyRtp;
  const seen = SEEN[source];
  if (seen) ch.setVariable(seen, 'true');
  let ok = source === 'UNKNOWN' || source === 'APP' || (onlyRtp && source === 'RTP');
  if (!onlyRtp) {
    // the C then stops the inband detector (a broadcast of spandsp_stop_dtmf): there is none here
    if (source === 'RTP') f.onlyRtp = true;
    if (f.lastSource === source || f.lastDigit !== digit) ok = true;
    f.lastDigit = digit;
    f.lastSource = source;
  }
  ch.core.log('INFO', `(${onlyRtp ? 'ALLOW 2833' : 'ALLOW ALL'}) ${ok ? 'Accept' : 'Ignore'} ${SOURCE_NAMES[source]} digit ${digit}`, ch.uuid);
  return ok;
}

function deduplicateDtmf(ch: AppChannel, data: string): void {
  if (FILTERS.has(ch)) return;
  const filter: Filter = { onlyRtp: data === 'only_rtp', lastDigit: '', lastSource: undefined };
  FILTERS.set(ch, filter);
  ch.addDtmfHook((digit, direction, source) => direction !== 'recv' || take(ch, filter, digit, source));
}

export const DEDUPLICATE_DTMF_APPLICATION: Application = { name: 'deduplicate_dtmf', run: sync(deduplicateDtmf) };
