/**
 * mod_commands' `show` over the other core db tables: the calls views (calls, bridged_calls,
 * detailed_calls, detailed_bridged_calls), the counts and their formats, `channels like … as`,
 * aliases and complete (with the `alias` / `complete` commands that fill them), the empty
 * registrations and nat_map tables, `show status`, and the usage for anything else.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SHOW_USAGE } from '../src/api/show.ts';
import { type Setup, bridgedNulls, parkedNull, setup, stopSetup } from './switch_helpers.ts';

const total = (n: number) => `\n${n} total.\n`;
/** The data rows of a delimited answer, each cut at `,`. */
const rowsOf = (text: string) =>
  text
    .split('\n')
    .slice(1, -3)
    .map((r) => r.split(','));

// the detailed_calls view of switch_core_sqldb.c, as it names its columns
const DETAILED_LEG =
  'uuid,direction,created,created_epoch,name,state,cid_name,cid_num,ip_addr,dest,application,application_data,dialplan,context,read_codec,read_rate,read_bit_rate,write_codec,write_rate,write_bit_rate,secure,hostname,presence_id,presence_data,accountcode,callstate,callee_name,callee_num,callee_direction,call_uuid,sent_callee_name,sent_callee_num';
const DETAILED_HEADER = `${DETAILED_LEG},${DETAILED_LEG.split(',')
  .map((c) => `b_${c}`)
  .join(',')},call_created_epoch`;
const BASIC_HEADER =
  'uuid,direction,created,created_epoch,name,state,cid_name,cid_num,ip_addr,dest,presence_id,presence_data,accountcode,callstate,callee_name,callee_num,callee_direction,call_uuid,hostname,sent_callee_name,sent_callee_num,' +
  'b_uuid,b_direction,b_created,b_created_epoch,b_name,b_state,b_cid_name,b_cid_num,b_ip_addr,b_dest,b_presence_id,b_presence_data,b_accountcode,b_callstate,b_callee_name,b_callee_num,b_callee_direction,b_sent_callee_name,b_sent_callee_num,call_created_epoch';

describe('show calls views: two null legs bridged (a calls b) and a third parked alone (c)', () => {
  let t: Setup;
  let a: string;
  let b: string;
  let c: string;
  beforeAll(async () => {
    t = await setup();
    ({ a, b } = await bridgedNulls(t));
    c = await parkedNull(t, 3);
  });
  afterAll(() => stopSetup(t));

  it('calls: the caller with its callee, the lone leg alone; by call_created_epoch, so the unbridged leg (no call) first', async () => {
    const text = await t.sw.api('show calls');
    expect(text.split('\n')[0]).toBe(BASIC_HEADER);
    const rows = rowsOf(text);
    expect(rows.map((r) => [r[0], r[21], r.at(-1)])).toEqual([
      [c, '', ''],
      [a, b, '1725358272'],
    ]);
    expect(text.endsWith(total(2))).toBe(true);
  });

  it('bridged_calls: only the bridged one (b_uuid is not null), same columns', async () => {
    const text = await t.sw.api('show bridged_calls');
    expect(text.split('\n')[0]).toBe(BASIC_HEADER);
    expect(rowsOf(text).map((r) => [r[0], r[4], r[21], r[25]])).toEqual([[a, 'null/1', b, 'null/2']]);
    expect(text.endsWith(total(1))).toBe(true);
  });

  it('detailed_calls and detailed_bridged_calls: every channel column but the initial_* ones, for both legs', async () => {
    const text = await t.sw.api('show detailed_calls');
    expect(text.split('\n')[0]).toBe(DETAILED_HEADER);
    const rows = rowsOf(text);
    expect(rows.map((r) => [r[0], r[10], r[32], r[42], r.at(-1)])).toEqual([
      // uuid_bridge moves both legs to its own application, as FreeSWITCH's does
      [a, 'uuid_bridge', b, 'uuid_bridge', '1725358272'],
      [c, 'park', '', '', ''],
    ]);
    expect(rows[0]).toHaveLength(65);
    const bridged = await t.sw.api('show detailed_bridged_calls');
    expect(rowsOf(bridged).map((r) => [r[0], r[32]])).toEqual([[a, b]]);
    expect(bridged.endsWith(total(1))).toBe(true);
    expect(JSON.parse(await t.sw.api('show detailed_calls as json')).rows[0].b_uuid).toBe(b);
  });

  it('counts: the number alone; as json an empty rows array, as xml an empty result, as delim the total', async () => {
    expect(await t.sw.api('show calls count')).toBe(total(2));
    expect(await t.sw.api('show CALLS Count')).toBe(total(2));
    expect(await t.sw.api('show channels count')).toBe(total(3));
    expect(await t.sw.api('show calls count as json')).toBe('{"row_count":2,"rows":[]}');
    expect(await t.sw.api('show channels count as xml')).toBe('<result row_count="3"></result>\n');
    expect(await t.sw.api('show channels count as delim')).toBe(total(3));
    expect(await t.sw.api('show channels count as yaml')).toBe('-ERR Cannot find format yaml\n');
  });

  it('channels like <text> as <format>: the format two words on; as delim takes the word `as` for its delimiter', async () => {
    const json = JSON.parse(await t.sw.api(`show channels like ${c.slice(0, 13)} as json`));
    expect([json.row_count, json.rows[0].uuid]).toEqual([1, c]);
    const delimited = await t.sw.api(`show channels like ${c} as delim`);
    expect(delimited.startsWith('uuidasdirectionascreatedascreated_epochasname')).toBe(true);
    expect(delimited.endsWith(total(1))).toBe(true);
    // without a text: every channel
    expect((await t.sw.api('show channels like')).endsWith(total(3))).toBe(true);
  });

  it("channels like: SQLite's LIKE (`_` one character, `%` any run, ASCII case ignored) in time bounded by pattern × row", async () => {
    const like = async (text: string) => JSON.parse(await t.sw.api(`show channels like ${text} as json`)).row_count;
    expect(await like(`${c.slice(0, 7).toUpperCase()}_`)).toBe(1);
    expect(await like(`%${c.slice(1, 6)}%${c.slice(-3)}`)).toBe(1);
    expect(await like(`${c.slice(1, 6)}%`)).toBe(0);
    expect(await like(`%${'%-'.repeat(30)}%#`)).toBe(0);
  });
});

describe('show aliases / show complete, filled by `alias` and `complete`', () => {
  let t: Setup;
  beforeAll(async () => {
    t = await setup();
  });
  afterAll(() => stopSetup(t));

  it('alias add / stickyadd replace an alias; rows by alias; del <alias> and del *', async () => {
    expect(await t.sw.api('show aliases')).toBe(total(0));
    expect(await t.sw.api('alias add sc show channels')).toBe('+OK\n');
    expect(await t.sw.api('alias stickyadd ver version short')).toBe('+OK\n');
    expect(await t.sw.api('alias add sc show calls')).toBe('+OK\n');
    expect(await t.sw.api('show aliases')).toBe('sticky,alias,command,hostname\n0,sc,show calls,fs1\n1,ver,version short,fs1\n\n2 total.\n');
    expect(await t.sw.api('show aliases as json')).toBe(
      '{"row_count":2,"rows":[{"sticky":"0","alias":"sc","command":"show calls","hostname":"fs1"},{"sticky":"1","alias":"ver","command":"version short","hostname":"fs1"}]}',
    );
    expect(await t.sw.api('alias del sc')).toBe('+OK\n');
    expect(await t.sw.api('show aliases')).toBe('sticky,alias,command,hostname\n1,ver,version short,fs1\n\n1 total.\n');
    expect(await t.sw.api('alias del *')).toBe('+OK\n');
    expect(await t.sw.api('show aliases')).toBe(total(0));
  });

  it('alias: the usage for too few words, an unknown verb, or an alias that names itself (logged)', async () => {
    const usage = '-USAGE: [add|stickyadd] <alias> <command> | del [<alias>|*]\n';
    expect(await t.sw.api('alias')).toBe(usage);
    expect(await t.sw.api('alias add x')).toBe(usage);
    expect(await t.sw.api('alias put x y')).toBe(usage);
    expect(await t.sw.api('alias add loop loop')).toBe(usage);
    expect(t.logs).toContain('ERR Alias and command cannot be the same, this will cause loop!');
  });

  it('complete add: up to ten words (_any_ is empty), rows by their words; del <words> and del *; the usage', async () => {
    expect(await t.sw.api('complete add uuid_kill ::console::list_uuid')).toBe('+OK\n');
    expect(await t.sw.api('complete stickyadd show _ANY_ count')).toBe('+OK\n');
    expect(await t.sw.api('complete add show channels')).toBe('+OK\n');
    expect(await t.sw.api('show complete')).toBe(
      'sticky,a1,a2,a3,a4,a5,a6,a7,a8,a9,a10,hostname\n1,show,,count,,,,,,,,fs1\n0,show,channels,,,,,,,,,fs1\n0,uuid_kill,::console::list_uuid,,,,,,,,,fs1\n\n3 total.\n',
    );
    expect(await t.sw.api('complete del show channels')).toBe('+OK\n');
    expect((await t.sw.api('show complete')).endsWith(total(2))).toBe(true);
    expect(await t.sw.api('complete del *')).toBe('+OK\n');
    expect(await t.sw.api('show complete')).toBe(total(0));
    const usage = '-USAGE: add <word>|del [<word>|*]\n';
    expect(await t.sw.api('complete')).toBe(usage);
    expect(await t.sw.api('complete del')).toBe(usage);
    expect(await t.sw.api('complete drop x')).toBe(usage);
  });

  it('on a switch named apart from its host, completions are stored under the host and looked for under the switch name', async () => {
    const u = await setup({ identity: { coreUuid: '0b7c2d0e-1111-4222-8333-944455556667', hostname: 'fs1', switchname: 'sw1' } });
    expect(await u.sw.api('complete add show')).toBe('+OK\n');
    expect(await u.sw.api('show complete')).toBe(total(0));
    expect(await u.sw.api('alias add s show')).toBe('+OK\n');
    expect(await u.sw.api('show aliases')).toBe('sticky,alias,command,hostname\n0,s,show,sw1\n\n1 total.\n');
    await stopSetup(u);
  });
});

describe('show registrations, nat_map, status; the usage', () => {
  let t: Setup;
  beforeAll(async () => {
    t = await setup();
  });
  afterAll(() => stopSetup(t));

  it('registrations and nat_map: no rows on a switch no endpoint module has reported to (no NAT mappings are made)', async () => {
    expect(await t.sw.api('show registrations')).toBe(total(0));
    expect(await t.sw.api('show registrations count')).toBe(total(0));
    expect(await t.sw.api('show registrations count as json')).toBe('{"row_count":0,"rows":[]}');
    expect(await t.sw.api('show registrations as json')).toBe('{"row_count": 0}\n');
    expect(await t.sw.api('show nat_map')).toBe(total(0));
    expect(await t.sw.api('show nat_map as xml')).toBe('<result row_count="0"/>\n');
  });

  it('show status is the status command', async () => {
    expect(await t.sw.api('show status')).toBe(await t.sw.api('status'));
  });

  it('no word, or one show does not know (distinct_channels is not FreeSWITCH’s): the usage', async () => {
    expect(await t.sw.api('show')).toBe(SHOW_USAGE);
    expect(await t.sw.api('show distinct_channels')).toBe(SHOW_USAGE);
    expect(await t.sw.api('show bogus')).toBe(SHOW_USAGE);
    expect(await t.sw.api('show channelsx')).toBe(SHOW_USAGE);
    expect(await t.sw.api('show interface')).toBe(SHOW_USAGE);
  });
});
