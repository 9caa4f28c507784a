/** What beamctl prints, from the terms the `beamline` module returns. */
import { describe, expect, it } from 'vitest';
import { ErlMap, Pid, atom } from '@beamline/etf';
import { formatInfo, formatPs, formatTree, sortPs, toPsRow, toTreeRow, type PsRow } from '../src/render.ts';

const NODE = 'n@h';
const pid = (id: number) => new Pid(atom(NODE), id, 0, 1);
const m = (o: Record<string, unknown>) => ErlMap.fromObject(o as never);

describe('formatTree', () => {
  it('indents children with box lines; a child without id or name shows its pid once', () => {
    const t = m({
      id: atom('undefined'),
      pid: pid(4),
      type: atom('supervisor'),
      restart: atom('undefined'),
      restarts: 0,
      behaviour: 'supervisor',
      name: atom('top'),
      mailbox: 0,
      strategy: atom('one_for_one'),
      children: [
        m({
          id: atom('calls'),
          pid: pid(5),
          type: atom('supervisor'),
          restart: atom('permanent'),
          restarts: 2,
          behaviour: 'supervisor',
          name: atom('undefined'),
          mailbox: 0,
          strategy: atom('simple_one_for_one'),
          children: [
            m({
              id: atom('undefined'),
              pid: pid(9),
              type: atom('worker'),
              restart: atom('temporary'),
              restarts: 0,
              behaviour: 'ChannelServer',
              name: atom('undefined'),
              mailbox: 3,
              children: [],
            }),
          ],
        }),
        m({
          id: atom('w'),
          pid: atom('restarting'),
          type: atom('worker'),
          restart: atom('transient'),
          restarts: 5,
          behaviour: '',
          name: atom('undefined'),
          mailbox: 0,
          children: [],
        }),
      ],
    });
    const text = formatTree(
      [toTreeRow(t, NODE)],
      [
        toPsRow(
          m({
            pid: pid(1),
            name: atom('net_kernel'),
            behaviour: 'net_kernel',
            status: atom('waiting'),
            mailbox: 0,
            messages_in: 1,
            messages_out: 1,
            memory: 512,
            supervisor: atom('undefined'),
          }),
          NODE,
        ),
      ],
    );
    expect(text.split('\n')).toEqual([
      'top  <0.4.0>  supervisor one_for_one  restarts=0  mailbox=0',
      '├─ calls  <0.5.0>  supervisor simple_one_for_one  permanent  restarts=2  mailbox=0',
      '│  └─ <0.9.0>  worker [ChannelServer]  temporary  restarts=0  mailbox=3',
      '└─ w  restarting  worker [?]  transient  restarts=5  mailbox=0',
      '',
      'not supervised:',
      '  net_kernel  <0.1.0>  [net_kernel]  mailbox=0',
    ]);
  });
});

describe('ps', () => {
  const rows: PsRow[] = [
    { pid: '<0.10.0>', name: 'b', behaviour: 'x', status: 'waiting', mailbox: 1, in: 5, out: 0, memory: 600, supervised: true },
    { pid: '<0.2.0>', name: 'a', behaviour: 'y', status: 'running', mailbox: 7, in: 1, out: 9, memory: 512, supervised: false },
    { pid: '<0.9.1>', name: '', behaviour: 'z', status: 'waiting', mailbox: 7, in: 3, out: 3, memory: 800, supervised: true },
  ];
  it('sorts numbers largest first (ties by pid), pids numerically, text ascending', () => {
    expect(sortPs(rows, 'mailbox').map((r) => r.pid)).toEqual(['<0.2.0>', '<0.9.1>', '<0.10.0>']);
    expect(sortPs(rows, 'pid').map((r) => r.pid)).toEqual(['<0.2.0>', '<0.9.1>', '<0.10.0>']);
    expect(sortPs(rows, 'name').map((r) => r.name)).toEqual(['', 'a', 'b']);
    expect(sortPs(rows, 'memory').map((r) => r.memory)).toEqual([800, 600, 512]);
  });
  it('breaks ties in pid number order, not as text (<0.2.0> before <0.10.0>)', () => {
    const idle = (pid: string): PsRow => ({
      pid,
      name: '',
      behaviour: 'async',
      status: 'waiting',
      mailbox: 0,
      in: 0,
      out: 0,
      memory: 560,
      supervised: true,
    });
    const tied = [idle('<0.10.0>'), idle('<0.2.0>'), idle('<0.100.0>'), idle('<0.9.0>')];
    const order = ['<0.2.0>', '<0.9.0>', '<0.10.0>', '<0.100.0>'];
    for (const key of ['mailbox', 'memory', 'name', 'status', 'behaviour'] as const) expect(sortPs(tied, key).map((r) => r.pid)).toEqual(order);
  });
  it('prints a table with right-aligned numbers', () => {
    const lines = formatPs(rows.slice(0, 1)).split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[1]).toMatch(/^│ PID +│ NAME │ BEHAVIOUR │ STATUS +│ MAILBOX │ MSGS IN │ MSGS OUT │ MEM~ \(B\) │$/);
    expect(lines[2]).toMatch(/^│ <0\.10\.0> │ b +│ x +│ waiting │ +1 │ +5 │ +0 │ +600 │$/);
  });
});

describe('formatInfo', () => {
  it('prints the keys in a fixed order, pids as the node prints them', () => {
    const info = m({ name: atom('w'), pid: pid(3), links: [pid(4)], trap_exit: atom('true'), details: m({ n: 1 }) });
    expect(formatInfo(info, NODE)).toBe(
      ['pid:          <0.3.0>', 'name:         w', 'trap_exit:    true', 'links:        [<0.4.0>]', 'details:      #{n => 1}'].join('\n'),
    );
  });
});
