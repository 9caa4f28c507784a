import { describe, expect, it } from 'vitest';
import { Pid, atom } from '@beamline/etf';
import { RemoteLinks } from '../src/links.ts';

const L = new Pid(atom('ts@localhost'), 40, 0, 1);
const L2 = new Pid(atom('ts@localhost'), 41, 0, 1);
const R = new Pid(atom('a@localhost'), 80, 0, 3);
const R2 = new Pid(atom('b@localhost'), 81, 0, 3);

describe('RemoteLinks: the UNLINK_ID protocol (spec §4.4)', () => {
  it('link out, unlink out with an id, ack removes the entry', () => {
    const l = new RemoteLinks();
    expect(l.linkOut(L, R)).toBe(true);
    expect(l.linkOut(L, R)).toBe(false); // already active: nothing to send
    const id = l.unlinkOut(L, R);
    expect(id).toBeTypeOf('bigint');
    expect(l.isLinked(L, R)).toBe(false);
    expect(l.unlinkOut(L, R)).toBeUndefined(); // inactive: nothing sent
    l.unlinkAckIn(L, R, id! + 1n); // wrong id: ignored
    expect(l.size).toBe(1);
    l.unlinkAckIn(L, R, id!);
    expect(l.size).toBe(0);
  });
  it('a LINK received while our unlink is pending is ignored; an EXIT for it is dropped', () => {
    const l = new RemoteLinks();
    l.linkOut(L, R);
    const id = l.unlinkOut(L, R)!;
    expect(l.linkIn(L, R)).toBe(false);
    expect(l.exitIn(L, R)).toBe('inactive');
    l.linkOut(L, R);
    const id2 = l.unlinkOut(L, R)!;
    l.unlinkAckIn(L, R, id2);
    expect(id2).not.toBe(id);
    expect(l.size).toBe(0);
  });
  it('link in, unlink in removes an active entry only', () => {
    const l = new RemoteLinks();
    expect(l.linkIn(L, R)).toBe(true);
    expect(l.linkIn(L, R)).toBe(false);
    expect(l.unlinkIn(L, R)).toBe(true);
    expect(l.unlinkIn(L, R)).toBe(false);
    l.linkOut(L, R);
    l.unlinkOut(L, R);
    expect(l.unlinkIn(L, R)).toBe(false); // inactive stays until our ack arrives
    expect(l.size).toBe(1);
  });
  it('re-linking while an unlink is pending re-activates and ignores the late ack', () => {
    const l = new RemoteLinks();
    l.linkOut(L, R);
    const id = l.unlinkOut(L, R)!;
    expect(l.linkOut(L, R)).toBe(true);
    l.unlinkAckIn(L, R, id);
    expect(l.isLinked(L, R)).toBe(true);
  });
  it('exit in for an active link delivers and removes', () => {
    const l = new RemoteLinks();
    l.linkIn(L, R);
    expect(l.exitIn(L, R)).toBe('active');
    expect(l.exitIn(L, R)).toBe('none');
  });
  it('a local exit forgets the entry (active or not); node down returns the active pairs of that node', () => {
    const l = new RemoteLinks();
    l.linkOut(L, R);
    l.linkOut(L, R2);
    l.linkOut(L2, R);
    l.unlinkOut(L2, R);
    expect(l.forget(L, R2)).toBe('active');
    expect(l.forget(L2, R)).toBe('inactive');
    expect(l.forget(L2, R)).toBe('none');
    l.linkIn(L2, R);
    expect(l.nodeDown('a@localhost')).toEqual([
      { local: L, remote: R },
      { local: L2, remote: R },
    ]);
    expect(l.size).toBe(0);
  });
});
