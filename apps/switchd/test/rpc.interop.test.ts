/**
 * The rpc module `switchd` from a real erl: `api/1` takes a binary or a string (chardata) and
 * raises badarg for anything else, as an OTP BIF does (`{badrpc, {'EXIT', {badarg, …}}}`); there
 * is no `api/2`. The switch behind it is a stand-in that echoes the line it is given.
 */
import { Runtime } from '@beamline/core';
import { type BeamNode, startNode } from '@beamline/distribution';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../../tools/erl/free_port.ts';
import { type ErlNode, startErl } from '../../../tools/erl/node.ts';
import { ConsoleLog } from '../src/log.ts';
import { switchdModule } from '../src/rpc.ts';

const NAME = 'rpc_sw@localhost';
let node: BeamNode;
let erl: ErlNode;
const lines: string[] = [];

beforeAll(async () => {
  const epmdPort = await freePort();
  const rt = new Runtime({ logger: null });
  node = await startNode({ name: NAME, cookie: 'ClueCon', epmdPort, runtime: rt });
  const sw = {
    api: async (line: string) => {
      lines.push(line);
      return `ran: ${line}`;
    },
    registry: { names: () => ['status'] },
  };
  node.exportModule('switchd', switchdModule({ sw }, new ConsoleLog(7, () => {}), rt));
  erl = await startErl({ name: 'rpc_erl@localhost', cookie: 'ClueCon', epmdPort });
  await erl.eval(`Api = fun(A_) -> rpc:call('${NAME}', switchd, api, A_) end, Why = fun(X_) -> {badrpc, {'EXIT', {Rw_, _}}} = X_, Rw_ end, ok`);
});

afterAll(async () => {
  await erl?.stop();
  await node?.stop();
});

describe('switchd:api/1', () => {
  it('runs a binary, a string, nested chardata with a binary tail', async () => {
    expect(await erl.eval('Api([<<"status">>])')).toBe('<<"ran: status">>');
    expect(await erl.eval('Api(["status"])')).toBe('<<"ran: status">>');
    expect(await erl.eval('Api([[<<"show ">>, ["chan", $n], "els" | <<" count">>]])')).toBe('<<"ran: show channels count">>');
    expect(lines).toEqual(['status', 'status', 'show channels count']);
  });

  it('anything else raises badarg, and runs nothing', async () => {
    lines.length = 0;
    for (const arg of ['#{}', 'nil', 'status', '42', '{<<"status">>}', '[1.5]', '[-1]', '[16#D800]', '[$a | b]', 'self()']) {
      expect(await erl.eval(`Why(Api([${arg}]))`), arg).toBe('badarg');
    }
    expect(lines).toEqual([]);
  });

  it('api/2 is undef (the line is one argument)', async () => {
    lines.length = 0;
    expect(await erl.eval(`Why(Api(["status", extra]))`)).toBe('undef');
    expect(await erl.eval(`Why(Api([<<"echo">>, <<"hi">>]))`)).toBe('undef');
    expect(lines).toEqual([]);
  });
});
