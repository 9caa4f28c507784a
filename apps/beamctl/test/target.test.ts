/** A child id (or the ids down to it) from `beamctl tree`, found in the tree's rows. */
import { describe, expect, it } from 'vitest';
import type { TreeRow } from '../src/render.ts';
import { findChild } from '../src/target.ts';

const row = (id: string | undefined, pid: string, children: TreeRow[] = [], name?: string): TreeRow => ({
  id,
  pid,
  type: children.length > 0 ? 'supervisor' : 'worker',
  restart: 'permanent',
  restarts: 0,
  behaviour: '',
  name,
  mailbox: 0,
  children,
});

const tree = [
  row(
    undefined,
    '<0.4.0>',
    [
      row('switch', '<0.7.0>', [row('reaper', '<0.9.0>'), row('channels', '<0.12.0>', [row(undefined, '<0.40.0>')])]),
      row('erlang_event', '<0.15.0>', [row('module', '<0.16.0>', [row('calls', '<0.19.0>')])]),
      row('sofia', '<0.21.0>', [row('calls', '<0.22.0>'), row('internal', 'restarting')]),
    ],
    'switchd_sup',
  ),
];

describe('findChild', () => {
  it('finds a child by its id, with its path from the top', () => {
    expect(findChild(tree, 'reaper')).toEqual([{ path: 'switchd_sup/switch/reaper', pid: '<0.9.0>' }]);
  });

  it('an id used twice matches twice; its path (or a tail of it) picks one', () => {
    expect(findChild(tree, 'calls').map((m) => m.path)).toEqual(['switchd_sup/erlang_event/module/calls', 'switchd_sup/sofia/calls']);
    expect(findChild(tree, 'sofia/calls')).toEqual([{ path: 'switchd_sup/sofia/calls', pid: '<0.22.0>' }]);
    expect(findChild(tree, 'switchd_sup/switch/reaper')).toEqual([{ path: 'switchd_sup/switch/reaper', pid: '<0.9.0>' }]);
  });

  it('no match: an unknown id, a child not running, a wrong path, an empty target', () => {
    expect(findChild(tree, 'nosuch')).toEqual([]);
    expect(findChild(tree, 'internal')).toEqual([]); // restarting: no pid to act on
    expect(findChild(tree, 'switch/calls')).toEqual([]);
    expect(findChild(tree, '/')).toEqual([]);
  });
});
