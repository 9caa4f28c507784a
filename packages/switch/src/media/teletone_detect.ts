/**
 * libteletone's detectors (libteletone_detect.c): the DTMF detector of `start_dtmf` and the
 * multi-frequency detector of `tone_detect`, both Goertzel filters over 102-sample blocks.
 *
 * They are reproduced to the bit, because FreeSWITCH's own quirks decide what is heard: the C
 * keeps each filter's state in `float` but multiplies by its coefficient in `double`, so every
 * step below rounds where the C rounds (`f32`), and nowhere else. Two quirks matter:
 * - the DTMF filters are not reset between blocks, only when a digit ends;
 * - the multi-tone detector's "second" filters are the first ones again, so its harmonic test
 *   compares a power with its own `float` rounding: it passes when the rounding went up.
 */

const f32 = Math.fround;
const TWO_PI = 2.0 * Math.PI;

/** BLOCK_LEN: samples per DTMF detection block. */
const BLOCK_LEN = 102;
/** LOW_ENG: a block quieter than this (sum of squares) counts towards a digit's end. */
const LOW_ENG = 10000000;
/** ZC: the quiet blocks that end a digit. */
const ZC = 2;
const DTMF_THRESHOLD = 8.0e7;
const DTMF_NORMAL_TWIST = 6.3;
const DTMF_REVERSE_TWIST = 2.5;
const DTMF_RELATIVE_PEAK_ROW = 6.3;
const DTMF_RELATIVE_PEAK_COL = 6.3;
const DTMF_2ND_HARMONIC_ROW = 2.5;
const DTMF_2ND_HARMONIC_COL = 63.1;

const DTMF_ROWS = [697.0, 770.0, 852.0, 941.0];
const DTMF_COLS = [1209.0, 1336.0, 1477.0, 1633.0];
const DTMF_POSITIONS = '123A456B789C*0#D';

/** teletone_hit_type_t. */
export enum Hit {
  None = 0,
  Begin = 1,
  Middle = 2,
  End = 3,
}

/** A Goertzel filter: its state in `float`, its coefficient (a `float` value) used in `double`. */
class Goertzel {
  v2 = 0;
  v3 = 0;
  constructor(readonly fac: number) {}

  reset(): void {
    this.v2 = 0;
    this.v3 = 0;
  }

  step(sample: number): void {
    const v1 = this.v2;
    this.v2 = this.v3;
    this.v3 = f32(this.fac * this.v2 - v1 + sample);
  }

  /** teletone_goertzel_result: the `float` sum of squares less the `double` cross term. */
  result(): number {
    return f32(f32(this.v3 * this.v3) + f32(this.v2 * this.v2)) - f32(this.v2 * this.v3) * this.fac;
  }
}

/** The coefficient of a frequency: `(float)(2.0 * cos(theta))`, theta `(float)(2π · ratio)`. */
const coefficient = (ratio: number) => f32(2.0 * Math.cos(f32(TWO_PI * ratio)));

/** teletone_dtmf_detect_state_t: one channel's DTMF detector (teletone_dtmf_detect_init). */
export class DtmfDetector {
  readonly #rows: Goertzel[];
  readonly #cols: Goertzel[];
  readonly #rows2nd: Goertzel[];
  readonly #cols2nd: Goertzel[];
  #energy = 0;
  #lastEnergy = 0;
  #currentSample = 0;
  #hit2 = 0;
  #hit3 = 0;
  #zc = 0;
  #dur = 0;
  #digit = '';

  constructor(sampleRate = 8000) {
    const rate = f32(sampleRate || 8000);
    this.#rows = DTMF_ROWS.map((f) => new Goertzel(coefficient(f32(f / rate))));
    this.#cols = DTMF_COLS.map((f) => new Goertzel(coefficient(f32(f / rate))));
    this.#rows2nd = DTMF_ROWS.map((f) => new Goertzel(coefficient((f * 2.0) / rate)));
    this.#cols2nd = DTMF_COLS.map((f) => new Goertzel(coefficient((f * 2.0) / rate)));
  }

  #resetFilters(): void {
    for (const g of this.#rows) g.reset();
    for (const g of this.#cols) g.reset();
    for (const g of this.#rows2nd) g.reset();
    for (const g of this.#cols2nd) g.reset();
  }

  /** teletone_dtmf_detect: one frame of linear samples; End when a digit has ended (read it with `take`). */
  detect(samples: Int16Array): Hit {
    const n = samples.length;
    let r = Hit.None;
    for (let sample = 0, limit = 0; sample < n; sample = limit) {
      limit = n - sample >= BLOCK_LEN - this.#currentSample ? sample + (BLOCK_LEN - this.#currentSample) : n;
      for (let j = sample; j < limit; j++) {
        const famp = samples[j] as number;
        this.#energy = f32(this.#energy + f32(famp * famp));
        for (let x = 0; x < 4; x++) {
          (this.#rows[x] as Goertzel).step(famp);
          (this.#cols[x] as Goertzel).step(famp);
          (this.#cols2nd[x] as Goertzel).step(famp);
          (this.#rows2nd[x] as Goertzel).step(famp);
        }
      }
      // a digit is on: each call looks at one (partial) block for the quiet that ends it
      if (this.#zc > 0) {
        if (this.#energy < LOW_ENG && this.#lastEnergy < LOW_ENG && --this.#zc === 0) {
          this.#hit2 = 0;
          this.#resetFilters();
          this.#dur -= n;
          return Hit.End;
        }
        this.#dur += n;
        this.#lastEnergy = this.#energy;
        this.#energy = 0;
        this.#currentSample = 0;
        return Hit.Middle;
      }
      if (this.#digit !== '') return Hit.End;
      this.#currentSample += limit - sample;
      if (this.#currentSample < BLOCK_LEN) continue;
      const hit = this.#blockHit();
      // two successive like blocks after a different one make a digit
      if (hit !== '' && hit === (this.#hit3 === 0 ? '' : String.fromCharCode(this.#hit3)) && this.#hit3 !== this.#hit2) {
        this.#digit = hit;
        if (!this.#zc) {
          this.#zc = ZC;
          this.#dur = 0;
          r = Hit.Begin;
          break;
        }
      }
      this.#hit2 = this.#hit3;
      this.#hit3 = hit === '' ? 0 : hit.charCodeAt(0);
      this.#energy = 0;
      this.#currentSample = 0;
    }
    return r;
  }

  /** The digit of the block just ended, or '' (the level, twist, relative peak and harmonic tests). */
  #blockHit(): string {
    const rowEnergy = this.#rows.map((g) => f32(g.result()));
    const colEnergy = this.#cols.map((g) => f32(g.result()));
    let bestRow = 0;
    let bestCol = 0;
    for (let i = 1; i < 4; i++) {
      if ((rowEnergy[i] as number) > (rowEnergy[bestRow] as number)) bestRow = i;
      if ((colEnergy[i] as number) > (colEnergy[bestCol] as number)) bestCol = i;
    }
    const row = rowEnergy[bestRow] as number;
    const col = colEnergy[bestCol] as number;
    if (!(row >= DTMF_THRESHOLD && col >= DTMF_THRESHOLD && col < row * DTMF_REVERSE_TWIST && col * DTMF_NORMAL_TWIST > row)) return '';
    for (let i = 0; i < 4; i++) {
      if (
        (i !== bestCol && (colEnergy[i] as number) * DTMF_RELATIVE_PEAK_COL > col) ||
        (i !== bestRow && (rowEnergy[i] as number) * DTMF_RELATIVE_PEAK_ROW > row)
      )
        return '';
    }
    if (
      f32(row + col) > 42.0 * this.#energy &&
      (this.#cols2nd[bestCol] as Goertzel).result() * DTMF_2ND_HARMONIC_COL < col &&
      (this.#rows2nd[bestRow] as Goertzel).result() * DTMF_2ND_HARMONIC_ROW < row
    )
      return DTMF_POSITIONS[bestRow * 4 + bestCol] as string;
    return '';
  }

  /** teletone_dtmf_get: the digit and its duration in samples; the digit is forgotten once it has ended. */
  take(): { digit: string; duration: number } | undefined {
    if (this.#digit === '') return undefined;
    const got = { digit: this.#digit, duration: this.#dur };
    if (!this.#zc) {
      this.#dur = 0;
      this.#digit = '';
    }
    return got;
  }
}

/** teletone_multi_tone_t: a detector of several frequencies sounding together (teletone_multi_tone_init). */
export class MultiToneDetector {
  readonly #filters: Goertzel[];
  readonly #minSamples: number;
  #energy = 0;
  #currentSample = 0;
  #positives = 0;
  #negatives = 0;
  #hits = 0;

  /** `freqs` up to the first 0, at most TELETONE_MAX_TONES (18). */
  constructor(freqs: readonly number[], sampleRate = 8000) {
    const rate = sampleRate || 8000;
    this.#minSamples = 102 * Math.trunc(rate / 8000);
    const used = freqs.slice(0, 18);
    const end = used.findIndex((f) => Math.trunc(f) === 0);
    this.#filters = (end < 0 ? used : used.slice(0, end)).map((f) => new Goertzel(coefficient(f / f32(rate))));
  }

  get toneCount(): number {
    return this.#filters.length;
  }

  /** teletone_multi_tone_detect: whether the frame completed a hit (two blocks of two positives). */
  detect(samples: Int16Array): boolean {
    const n = samples.length;
    const count = this.#filters.length;
    let seen = false;
    for (let sample = 0, limit = 0; sample >= 0 && sample < n; sample = limit) {
      limit = n - sample >= this.#minSamples - this.#currentSample ? sample + (this.#minSamples - this.#currentSample) : n;
      if (limit < 0 || limit > n) limit = n;
      for (let j = sample; j < limit; j++) {
        const famp = samples[j] as number;
        this.#energy = f32(this.#energy + f32(famp * famp));
        for (const g of this.#filters) g.step(famp);
      }
      this.#currentSample += limit - sample;
      if (this.#currentSample < this.#minSamples) continue;
      let sum = 0;
      let harmonic = 0;
      for (const g of this.#filters) {
        const power = f32(g.result());
        sum = f32(sum + power);
        // the C's second filter is this one: its double result against the float just taken
        if (g.result() < power) harmonic++;
      }
      if ((harmonic >= 2 || harmonic === count) && sum > 42.0 * this.#energy) {
        if (this.#negatives) this.#negatives--;
        this.#positives++;
        if (this.#positives >= 2) this.#hits++;
        if (this.#hits >= 2) {
          seen = true;
          this.#positives = 0;
          this.#negatives = 0;
          this.#hits = 0;
        }
      } else {
        this.#negatives++;
        if (this.#positives) this.#positives--;
        if (this.#negatives > 10) {
          this.#positives = 0;
          this.#hits = 0;
        }
      }
      for (const g of this.#filters) g.reset();
      this.#energy = 0;
      this.#currentSample = 0;
    }
    return seen;
  }
}
