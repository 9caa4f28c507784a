/** XML search bindings (switch_xml_locate): binding order, `result not found`, fallback, the dialplan's lookup with its params. */
import { describe, expect, it } from 'vitest';
import { XmlBindings } from '../src/config/xml_fetch.ts';
import { parseXml } from '../src/config/xml.ts';
import { staticDialplan } from '../src/dialplan/dialplan.ts';
import type { SwitchEvent } from '../src/events/event.ts';
import { setup } from './switch_helpers.ts';

const doc = (inner: string) => parseXml(`<document type="freeswitch/xml">${inner}</document>`);
const NOT_FOUND = doc('<section name="result"><result status="not found"/></section>');
const req = { section: 'directory', tagName: 'domain', keyName: 'name', keyValue: 'example.com', params: undefined } as const;

describe('XmlBindings', () => {
  it('the first binding with the section wins; not found, none, a throwing binding or another section pass on', async () => {
    const b = new XmlBindings();
    const asked: string[] = [];
    const answer = (name: string, d: ReturnType<typeof doc> | undefined) => async () => {
      asked.push(name);
      return d;
    };
    b.bind('throws', ['directory'], async () => {
      asked.push('throws');
      throw new Error('boom');
    });
    b.bind('none', ['directory'], answer('none', undefined));
    b.bind('notfound', ['directory'], answer('notfound', NOT_FOUND));
    b.bind('dialplan only', ['dialplan'], answer('dialplan only', doc('<section name="directory"><x/></section>')));
    b.bind('other section', ['directory'], answer('other section', doc('<section name="dialplan"/>')));
    b.bind('good', ['directory'], answer('good', doc('<section name="directory"><domain name="example.com"/></section>')));
    b.bind('late', ['directory'], answer('late', doc('<section name="directory"/>')));
    const s = await b.fetch(req);
    expect(s?.children[0]?.attributes).toEqual({ name: 'example.com' });
    expect(asked).toEqual(['throws', 'none', 'notfound', 'other section', 'good']);
    expect(b.serves('chatplan')).toBe(false);
  });
  it('removal; nothing → undefined', async () => {
    const b = new XmlBindings();
    const off = b.bind('x', ['configuration'], async () => doc('<section name="configuration"/>'));
    expect(await b.fetch({ ...req, section: 'configuration' })).toBeDefined();
    off();
    expect(await b.fetch({ ...req, section: 'configuration' })).toBeUndefined();
  });
});

describe('a dialplan served by a binding', () => {
  it('routes the call by the fetched document (params: the channel data and Hunt-*); without an answer the static dialplan', async () => {
    const t = await setup({ dialplan: staticDialplan({ default: { '1000': [['set', 'via=static'], ['park']] } }) });
    let params: SwitchEvent | undefined;
    let serve = true;
    t.sw.conf.xmlBindings.bind('test', ['dialplan'], async (r) => {
      params = r.params;
      if (!serve) return undefined;
      return doc(
        '<section name="dialplan"><context name="default"><extension name="x"><condition field="destination_number" expression="^1000$"><action application="set" data="via=fetched"/><action application="park"/></condition></extension></context></section>',
      );
    });
    const a = /^\+OK (\S+)\n$/.exec(await t.sw.originate('null/1 1000'))?.[1] as string;
    await t.settle();
    expect(await t.sw.api(`uuid_getvar ${a} via`)).toBe('fetched');
    expect(params?.type).toBe('REQUEST_PARAMS');
    expect(params?.getHeader('Hunt-Destination-Number')).toBe('1000');
    expect(params?.getHeader('Unique-ID')).toBe(a);
    serve = false;
    const b = /^\+OK (\S+)\n$/.exec(await t.sw.originate('null/1 1000'))?.[1] as string;
    await t.settle();
    expect(await t.sw.api(`uuid_getvar ${b} via`)).toBe('static');
    await t.sw.stop();
  });
});
