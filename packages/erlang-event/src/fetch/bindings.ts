/**
 * XML-fetch bindings (spec §1.14–§1.15, §2.4): Erlang processes that serve configuration,
 * directory, dialplan… lookups. While any binding exists the module has one search function in the
 * switch's XML bindings (`sw.conf.xmlBindings`); a lookup whose section a binding has is sent as
 * `{fetch, Section, Tag, Key, Value, FetchID, Params}` to every such pid (binding order), and the
 * first `{fetch_reply, FetchID, XML}` wins; after 5 s, or with no usable reply, the switch falls
 * back to its static XML. A binding goes when its pid exits or its node's listener goes.
 */
import { randomUUID } from 'node:crypto';
import { pidEquals } from '@beamline/core';
import { Atom, Binary, type Pid, type Term, type Tuple, atom, t } from '@beamline/etf';
import { type Switch, XML_SECTIONS, type XmlElement, type XmlFetchRequest, parseXml } from '@beamline/switch';
import type { Encoding } from '../config.ts';
import { eventList, s } from '../encode.ts';
import { cStringText, decodeSB } from '../inbound/decode.ts';
import { sectionBit, sectionLabel, sectionMask } from './sections.ts';

export interface FetchHost {
  readonly sw: Switch;
  readonly config: { readonly encoding: Encoding };
  /** `erlang debug on`: each reply's XML is logged. */
  readonly debug: boolean;
  /** FsPid links to `pid` (its exit comes back as `pidExited`). */
  link(pid: Pid): void;
  sendAsFs(to: Pid, term: Term): void;
}

interface Binding {
  readonly mask: number;
  readonly pid: Pid;
  readonly peer: string;
}

interface Pending {
  readonly resolve: (xml: Term | undefined) => void;
}

const A_OK = atom('ok');
const A_ERROR = atom('error');
const BADARG = t(A_ERROR, atom('badarg'));
const UNDEFINED_S = 'undefined';

export class FetchBindings {
  readonly #bindings: Binding[] = [];
  readonly #pending = new Map<string, Pending>();
  #unbind: (() => void) | undefined;
  /** How long a lookup waits for a reply (the original: 5 s, fixed). */
  timeoutMs = 5000;

  constructor(private readonly host: FetchHost) {}

  /** `erlang bindings`. */
  list(): { node: string; section: string }[] {
    return this.#bindings.map((b) => ({ node: b.peer, section: sectionLabel(b.mask) }));
  }

  /** `{bind, Section}` from `from` on the listener of `peer`. */
  bind(msg: Tuple, peer: string, from: Pid | undefined): Term | undefined {
    const section = msg.elements[1];
    if (!(section instanceof Atom)) return BADARG;
    const mask = sectionMask(section.name);
    if (mask === 0) return BADARG;
    if (!from) return undefined;
    this.#bindings.push({ mask, pid: from, peer });
    this.host.link(from);
    this.#sync();
    return A_OK;
  }

  /** `{fetch_reply, FetchID, XML}`: the first reply for a waiting lookup is accepted. */
  fetchReply(msg: Tuple): Term {
    const id = decodeSB(msg.elements[1] as Term, 256);
    if (id === undefined || msg.elements.length < 2) return BADARG;
    const pending = this.#pending.get(id);
    if (!pending) return t(A_ERROR, atom('invalid_uuid'));
    this.#pending.delete(id);
    pending.resolve(msg.elements[2]);
    return t(A_OK, s(id, this.host.config.encoding));
  }

  pidExited(pid: Pid): void {
    this.#remove((b) => pidEquals(b.pid, pid));
  }

  listenerDown(peer: string): void {
    this.#remove((b) => b.peer === peer);
  }

  stop(): void {
    this.#bindings.length = 0;
    this.#sync();
    for (const p of this.#pending.values()) p.resolve(undefined);
    this.#pending.clear();
  }

  #remove(gone: (b: Binding) => boolean): void {
    for (let i = this.#bindings.length - 1; i >= 0; i--) if (gone(this.#bindings[i] as Binding)) this.#bindings.splice(i, 1);
    this.#sync();
  }

  /** The module's search function is in the switch's bindings exactly while some binding exists. */
  #sync(): void {
    if (this.#bindings.length > 0 && !this.#unbind)
      this.#unbind = this.host.sw.conf.xmlBindings.bind('mod_erlang_event', XML_SECTIONS, (r) => this.#search(r));
    else if (this.#bindings.length === 0 && this.#unbind) {
      this.#unbind();
      this.#unbind = undefined;
    }
  }

  async #search(r: XmlFetchRequest): Promise<XmlElement | undefined> {
    const bit = sectionBit(r.section);
    const targets = this.#bindings.filter((b) => b.mask === bit);
    if (targets.length === 0) return undefined;
    const enc = this.host.config.encoding;
    const id = randomUUID();
    const term = t(
      atom('fetch'),
      atom(r.section),
      s(r.tagName ?? UNDEFINED_S, enc),
      s(r.keyName ?? UNDEFINED_S, enc),
      s(r.keyValue ?? UNDEFINED_S, enc),
      s(id, enc),
      r.params ? eventList(r.params, enc) : [],
    );
    let timer: NodeJS.Timeout | undefined;
    const reply = new Promise<Term | undefined>((resolve) => {
      this.#pending.set(id, { resolve });
      timer = setTimeout(() => {
        this.#pending.delete(id);
        resolve(undefined);
      }, this.timeoutMs);
    });
    for (const b of targets) this.host.sendAsFs(b.pid, term);
    const xml = await reply;
    clearTimeout(timer);
    return this.#parse(id, xml);
  }

  #parse(id: string, xml: Term | undefined): XmlElement | undefined {
    if (xml === undefined) {
      this.host.sw.core.log('WARNING', `Timed out waiting for a fetch reply for ${id}`);
      return undefined;
    }
    const text = xmlText(xml);
    if (text === undefined) {
      this.host.sw.core.log('WARNING', `Fetch reply ${id}: the XML must be a string or a binary`);
      return undefined;
    }
    if (this.host.debug) this.host.sw.core.log('DEBUG', `Fetch reply ${id}: ${text}`);
    if (text === '') return undefined;
    try {
      return parseXml(text, `fetch ${id}`);
    } catch (e) {
      this.host.sw.core.log('ERR', `Fetch reply ${id}: ${e instanceof Error ? e.message : String(e)}`);
      return undefined;
    }
  }
}

/**
 * A string of bytes or a binary (any length) → its text up to a NUL, its bytes kept (a Latin-1
 * `é` stays the byte 0xE9, as the C module hands the parser its bytes); `[]` → ''; anything else
 * undefined.
 */
function xmlText(x: Term): string | undefined {
  if (x instanceof Binary) return cStringText(x.bytes);
  if (x instanceof Uint8Array) return cStringText(x);
  if (Array.isArray(x) && x.every((b) => typeof b === 'number' && b >= 0 && b <= 255)) return cStringText(x as number[]);
  return undefined;
}
