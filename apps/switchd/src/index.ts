/**
 * switchd as a library: the console (beamctl console uses it), the tree, the settings. The
 * program is main.ts.
 */
export { runConsole, complete, SLASH_COMMANDS, type ConsoleBackend, type ConsoleOptions } from './console.ts';
export { startTree, type Holder, type SwitchdTree, type TreeOptions } from './tree.ts';
export { resolveSettings, DEFAULT_CONF_DIR, SettingsError, type Settings, type SwitchdArgs, type ConfLogLine } from './settings.ts';
export { switchdCommand, parseSwitchdArgs } from './cli.ts';
export { ConsoleLog } from './log.ts';
export { describeFailure } from './failure.ts';
export { optionalModules, moduleChild, type ModuleEnv, type LoadFn, type Loaded } from './modules.ts';
