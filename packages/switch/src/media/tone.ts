/**
 * Tones from TGML, the tone language of FreeSWITCH's tone_stream:// and `ringback` variables
 * (libteletone_generate.c's teletone_run): `;`-separated items, each a directive `x=value` or a
 * tone `%(on,off,freq[,freq...])` (milliseconds on, milliseconds of silence after, frequencies in
 * Hz, mixed). Directives: `v=` volume in dB (-63..0, default -7), `d=` / `w=` the default on / off
 * times, `l=` how many times the next tone plays, `L=` how many times the whole spec plays (the
 * first `L=` counts). Named tones (`a(100,100)` after a tone map) are not kept, so they are skipped,
 * as teletone skips an empty map. 8 kHz mono.
 */

const RATE = 8000;
/** libteletone's 0 dBm0 full-scale power (3.14 + 3.02 dB). */
const DBM0_MAX_POWER = 3.14 + 3.02;

/** The samples of one tone item: each frequency's sine at the volume's level, averaged, then the silence. */
export function toneSamples(onMs: number, offMs: number, freqs: readonly number[], volumeDb: number): Int16Array {
  const on = Math.max(0, Math.floor((onMs * RATE) / 1000));
  const off = Math.max(0, Math.floor((offMs * RATE) / 1000));
  const out = new Int16Array(on + off);
  const scale = 10 ** ((volumeDb - DBM0_MAX_POWER) / 20) * 32767 * Math.SQRT2;
  for (let i = 0; i < on; i++) {
    let sum = 0;
    for (const f of freqs) sum += Math.sin((2 * Math.PI * f * i) / RATE);
    out[i] = Math.round((scale * sum) / freqs.length);
  }
  return out;
}

/** The whole spec's samples, its `L=` loops included; an empty array when it has no tone. */
export function renderTgml(spec: string): Int16Array {
  let volume = -7;
  let duration = 0;
  let wait = 0;
  let toneLoops = 0;
  let wholeLoops: number | undefined;
  const parts: Int16Array[] = [];
  for (const raw of spec.split(';')) {
    const item = raw.trim();
    if (item.length > 1 && item[1] === '=') {
      const value = item.slice(2);
      switch (item[0]) {
        case 'v': {
          const v = Number.parseFloat(value);
          if (v <= 0 && v >= -63) volume = v;
          break;
        }
        case 'd':
          duration = Number.parseInt(value, 10) || 0;
          break;
        case 'w':
          wait = Number.parseInt(value, 10) || 0;
          break;
        case 'l':
          toneLoops = Number.parseInt(value, 10) || 0;
          break;
        case 'L': {
          const n = Number.parseInt(value, 10);
          if (wholeLoops === undefined && n > 0) wholeLoops = n;
          break;
        }
      }
      continue;
    }
    // an unclosed `%(` still makes its tone, as teletone reads to the end (`&playback(…)` cuts at the first `)`)
    for (const m of item.matchAll(/%\(([^)]*)\)?/g)) {
      const fields = m[1].split(',').map((f) => Number.parseFloat(f));
      const freqs = fields.slice(2).filter((f) => f > 0);
      if (freqs.length === 0) continue;
      const samples = toneSamples(Number.isFinite(fields[0]) ? fields[0] : duration, Number.isFinite(fields[1]) ? fields[1] : wait, freqs, volume);
      do {
        parts.push(samples);
        if (toneLoops > 0) toneLoops--;
      } while (toneLoops > 0);
    }
  }
  const once = concat(parts);
  return wholeLoops === undefined ? once : concat(Array.from({ length: wholeLoops }, () => once));
}

export function concat(parts: readonly Int16Array[]): Int16Array {
  const out = new Int16Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
