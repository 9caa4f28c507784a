import { describe, expect, it } from 'vitest';
import { atom, t, Tuple } from '../src/index.ts';

describe('term model', () => {
  it('interns atoms so identity is equality', () => {
    expect(atom('ok')).toBe(atom('ok'));
    expect(atom('ok')).not.toBe(atom('error'));
  });
  it('builds tuples distinct from lists', () => {
    const x = t(atom('ok'), 1);
    expect(x).toBeInstanceOf(Tuple);
    expect(Array.isArray(x)).toBe(false);
    expect(x.size).toBe(2);
  });
});
