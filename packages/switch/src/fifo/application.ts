/**
 * mod_fifo's `fifo` application (fifo_function): its arguments, the nodes they name (made on first
 * use), then the caller's side (`in`, fifo/caller.ts) or the consumer's (`out`, fifo/consumer.ts).
 */
import type { Application } from '../applications/types.ts';
import { caseEqual, separateString } from '../internal/strings.ts';
import { runCaller } from './caller.ts';
import { runConsumer } from './consumer.ts';
import { findOrCreateNode } from './nodes.ts';

export const FIFO_USAGE =
  '<fifo name>[!<importance_number>] [in [<announce file>|undef] [<music file>|undef] [early|noans] | out [wait|nowait] [<announce file>|undef] [<music file>|undef]]';

/** MAX_NODES_PER_CONSUMER. */
const MAX_NODES = 25;

/** cleanup_fifo_arg: `undef` is no file. */
const fileArg = (s: string | undefined) => (s === undefined || s === '' || caseEqual(s, 'undef') ? undefined : s);

export const FIFO_APP: Application = {
  name: 'fifo',
  syntax: FIFO_USAGE,
  description: 'Park with FIFO',
  module: 'mod_fifo',
  run: async (ch, data, done) => {
    const core = ch.core;
    const usage = async () => {
      core.log('ERR', `USAGE ${FIFO_USAGE}`, ch.uuid);
      await done();
      return undefined;
    };
    if (data === '') {
      core.log('ERR', 'No Args', ch.uuid);
      await done();
      return undefined;
    }
    ch.setVariable('fifo_hangup_check', undefined);
    const argv = separateString(data, ' ', 5);
    const [fifoName, inout] = argv;
    if (!fifoName || !inout) return usage();
    const consumer = caseEqual(inout, 'out');
    if (!consumer && !caseEqual(inout, 'in')) return usage();
    const names = separateString(fifoName, ',', MAX_NODES);
    if (names.length === 0 || (!consumer && names.length > 1)) return usage();
    const nodes = names.map((entry) => {
      const bang = entry.lastIndexOf('!');
      const name = bang < 0 ? entry : entry.slice(0, bang);
      const importance = bang < 0 ? 0 : Math.max(0, Number.parseInt(entry.slice(bang + 1), 10) || 0);
      return findOrCreateNode(core, name, importance);
    });
    let moh = ch.variable('fifo_music');
    let announce = ch.variable('fifo_announce');
    const at = consumer ? 3 : 2;
    if (argv.length > at) announce = argv[at];
    if (argv.length > at + 1) moh = argv[at + 1];
    if (moh !== undefined && caseEqual(moh, 'silence')) moh = undefined;
    if (consumer) {
      const how = argv[2];
      if (how !== undefined && !caseEqual(how, 'nowait') && !caseEqual(how, 'wait')) return usage();
      const wait = how === undefined || caseEqual(how, 'wait');
      return runConsumer(ch, { fifoName, nodes, announce: fileArg(announce), moh: fileArg(moh), wait }, done);
    }
    const mode = argv[4];
    const answer = mode && caseEqual(mode, 'noans') ? 'noans' : mode && caseEqual(mode, 'early') ? 'early' : 'answer';
    const node = nodes[0];
    if (!node) return usage();
    return runCaller(ch, { fifoName, node, announce: fileArg(announce), moh: fileArg(moh), answer }, done);
  },
};

export const FIFO_APPLICATIONS: readonly Application[] = [FIFO_APP];
