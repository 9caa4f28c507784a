/**
 * userIn: the user an authentication or a `user/` leg finds, by switch_xml_locate_user's walk (the
 * same one as user_exists and the other directory commands): each group's first `<users>`, then
 * the domain's first `<users>`, or — with none — the `<user>`s right under `<domain>`.
 */
import { describe, expect, it } from 'vitest';
import { userIn } from '../src/config/directory.ts';
import { parseXml } from '../src/config/xml.ts';

const section = (domains: string) => parseXml(`<section name="directory">${domains}</section>`);

describe('userIn', () => {
  it('a <user> right under <domain> (no <users>) is found, with the domain params under its own', () => {
    const dir = section(
      '<domain name="d.example"><params><param name="dial-string" value="x"/></params><user id="2000"><params><param name="password" value="secret"/></params></user></domain>',
    );
    const u = userIn(dir, '2000', 'D.EXAMPLE');
    expect([u?.id, u?.domain, u?.params.get('password'), u?.params.get('dial-string')]).toEqual(['2000', 'd.example', 'secret', 'x']);
  });

  it("the groups come first (the user gets its group's variables), then the domain's first <users>; a group's second <users> is not looked in", () => {
    const dir = section(`<domain name="d">
      <users><user id="1"><variables><variable name="where" value="users"/></variables></user><user id="3"/></users>
      <groups>
        <group name="g"><variables><variable name="where" value="group"/><variable name="g" value="1"/></variables>
          <users><user id="1"/></users><users><user id="2"/></users>
        </group>
      </groups>
    </domain>`);
    expect(userIn(dir, '1', 'd')?.variables).toEqual([
      ['where', 'group'],
      ['g', '1'],
    ]);
    expect(userIn(dir, '2', 'd')).toBeUndefined();
    expect(userIn(dir, '3', 'd')?.id).toBe('3');
  });
});
