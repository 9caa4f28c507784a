/**
 * The benches' tables: cli-table3 with its colours only on a terminal, so a table piped to a file
 * or another program is plain text.
 */
import Table from 'cli-table3';

type TableOptions = ConstructorParameters<typeof Table>[0];

export function table(opts: TableOptions = {}): InstanceType<typeof Table> {
  return process.stdout.isTTY ? new Table(opts) : new Table({ ...opts, style: { ...opts.style, head: [], border: [] } });
}
