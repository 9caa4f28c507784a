/** Registered names: one name per process, one process per name, freed when the process exits. */
import { BadArg } from '../basics/errors.ts';
import { DEAD, type Proc } from '../process/process.ts';

export class Registry {
  private readonly names = new Map<string, Proc>();

  register(name: string, p: Proc): void {
    if (typeof name !== 'string' || name.length === 0 || name === 'undefined') {
      throw new BadArg(`register: invalid name ${JSON.stringify(name)}`);
    }
    if (p.flags & DEAD) throw new BadArg(`register: process ${p.self} is not alive`);
    const holder = this.names.get(name);
    if (holder !== undefined) throw new BadArg(`register: name "${name}" is already registered to ${holder.self}`);
    if (p.name !== undefined) throw new BadArg(`register: process ${p.self} is already registered as "${p.name}"`);
    this.names.set(name, p);
    p.name = name;
  }

  unregister(name: string): void {
    const p = this.names.get(name);
    if (p === undefined) throw new BadArg(`unregister: name "${name}" is not registered`);
    this.names.delete(name);
    p.name = undefined;
  }

  lookup(name: string): Proc | undefined {
    return this.names.get(name);
  }

  /** Called when `p` exits. */
  exiting(p: Proc): void {
    if (p.name !== undefined) {
      if (this.names.get(p.name) === p) this.names.delete(p.name);
      p.name = undefined;
    }
  }

  registered(): string[] {
    return [...this.names.keys()];
  }
}
