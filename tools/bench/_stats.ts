/** The 50th and 99th percentiles of an erl-printed list of samples, `[n1,n2,...]`, divided by 1000 (ns → µs, µs → ms). */
export function percentiles(text: string): { p50: number; p99: number } {
  const ns = text
    .replace(/[[\]\s]/g, '')
    .split(',')
    .filter(Boolean)
    .map(Number)
    .sort((a, b) => a - b);
  const at = (q: number) => ns[Math.min(ns.length - 1, Math.floor(q * ns.length))]! / 1000;
  return { p50: at(0.5), p99: at(0.99) };
}

/** The middle element of `xs` by `key` (the upper one of an even count). */
export function median<T>(xs: readonly T[], key: (x: T) => number): T {
  return [...xs].sort((a, b) => key(a) - key(b))[Math.floor(xs.length / 2)]!;
}
