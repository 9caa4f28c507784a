/**
 * The core's chat interfaces (switch_loadable_module.c: chat_hash, do_chat_send,
 * switch_core_chat_send_args): a module adds an interface under its protocol name (`sip`), and a
 * message event is delivered to the interface its `dest_proto` names, then fired as a MESSAGE
 * event that says how the delivery went.
 */
import type { SwitchCore } from '../core/core.ts';
import type { SwitchEvent } from '../events/event.ts';
import { switchTrue } from '../internal/strings.ts';

/** A chat interface's chat_send: true when the message went out (SWITCH_STATUS_SUCCESS). */
export interface ChatInterface {
  send(message: SwitchEvent): Promise<boolean> | boolean;
}

/** switch_core_chat_send_args's arguments. */
export interface ChatArgs {
  readonly destProto: string;
  readonly proto: string;
  readonly from: string;
  readonly to: string;
  readonly subject?: string;
  readonly body?: string;
  readonly type?: string;
  readonly hint?: string;
  readonly blocking: boolean;
}

export class ChatInterfaces {
  readonly #core: SwitchCore;
  readonly #byName = new Map<string, ChatInterface>();

  constructor(core: SwitchCore) {
    this.#core = core;
  }

  /** Adds (or replaces) the interface for `proto` (any case); returns its removal. */
  add(proto: string, ci: ChatInterface): () => void {
    const key = proto.toLowerCase();
    this.#byName.set(key, ci);
    return () => {
      if (this.#byName.get(key) === ci) this.#byName.delete(key);
    };
  }

  get names(): readonly string[] {
    return [...this.#byName.keys()];
  }

  /**
   * switch_core_chat_send_args: a MESSAGE event from the arguments, delivered now when `blocking`
   * (the answer is the delivery's), else queued (the answer is true).
   */
  async sendArgs(a: ChatArgs): Promise<boolean> {
    const e = this.#core.bus.create('MESSAGE');
    e.addHeader('proto', a.proto);
    e.addHeader('from', a.from);
    e.addHeader('to', a.to);
    e.addHeader('subject', a.subject);
    e.addHeader('type', a.type);
    e.addHeader('hint', a.hint);
    e.addHeader('skip_global_process', 'true');
    if (a.blocking) e.addHeader('blocking', 'true');
    if (a.body !== undefined) e.body = a.body;
    e.addHeader('dest_proto', a.destProto);
    if (a.blocking) return this.deliver(e);
    this.queue(e);
    return true;
  }

  /** switch_core_chat_send / _deliver: `message` (a copy) with `dest_proto`, delivered after this turn. */
  queue(message: SwitchEvent, destProto?: string): void {
    const e = message.clone();
    if (destProto !== undefined) e.addHeader('dest_proto', destProto);
    setImmediate(() => {
      this.deliver(e).catch((err: unknown) => this.#core.log('ERR', `chat: delivery failed: ${String(err)}`));
    });
  }

  /**
   * do_chat_send: the interface `dest_proto` names sends the message (none: an error), then a copy
   * is fired with `Delivery-Failure` (blocking) or `Nonblocking-Delivery`.
   */
  async deliver(message: SwitchEvent): Promise<boolean> {
    const destProto = message.getHeader('dest_proto');
    if (destProto === undefined) return false;
    if (message.getHeader('proto') === undefined) message.addHeader('proto', 'global');
    let ok = false;
    if (!destProto.toLowerCase().includes('global')) {
      const ci = this.#byName.get(destProto.toLowerCase());
      if (ci) {
        try {
          ok = await ci.send(message);
        } catch (err) {
          this.#core.log('ERR', `chat: the ${destProto} interface failed: ${err instanceof Error ? err.message : String(err)}`);
        }
      } else {
        this.#core.log('ERR', `Invalid chat interface [${destProto}]!`);
      }
    }
    const fired = message.clone();
    if (switchTrue(message.getHeader('blocking'))) {
      fired.addHeader('Delivery-Failure', ok ? 'false' : 'true');
    } else {
      fired.addHeader('Nonblocking-Delivery', 'true');
    }
    this.#core.fire(fired);
    return ok;
  }
}
