/**
 * The switch: core services, the supervision tree, the API and the applications.
 *
 *   switch (one_for_one)
 *   ├── scheduler (worker: runs the scheduled tasks — HEARTBEAT, sched_api, …; absent with `timers: false`)
 *   ├── reaper (worker: removes channels that died without their end)
 *   ├── local_streams (simple_one_for_one, transient children; a restart gives the streams a process again)
 *   │   └── one process per local stream (mod_local_stream's player of a directory)
 *   ├── conferences (simple_one_for_one, temporary children; a restart gives the conferences a process again)
 *   │   └── one process per conference (its mixer)
 *   └── channels (simple_one_for_one, temporary children)
 *       └── one ChannelServer per channel
 *
 * Stopping the tree stops channels first (SYSTEM_SHUTDOWN), then the conferences, the local
 * streams, the reaper and the scheduler.
 *
 * API commands run each in a process of their own (spawned from the `where` the switch was
 * started with); `bgapi` jobs go through a bounded p-queue and end in BACKGROUND_JOB.
 */
import { ChatInterfaces } from './chat/chat.ts';
import { chatCommands } from './chat/chat_commands.ts';
import { locateUser } from './config/directory.ts';
import { locateLanguage } from './config/languages.ts';
import { type ChildSpec, GenServer, type ProcessContext, Runtime, Supervisor, type Where } from '@beamline/core';
import type { Pid } from '@beamline/etf';
import PQueue from 'p-queue';
import { CHANNEL_COMMANDS } from './api/channel_commands.ts';
import { DPTOOLS_COMMANDS } from './api/dptools_commands.ts';
import { CORE_COMMANDS } from './api/core_commands.ts';
import { sayStringCommand } from './api/say_commands.ts';
import { helpCommand } from './api/help.ts';
import { jsonCommand } from './api/json_api.ts';
import { MEDIA_COMMANDS } from './api/media_commands.ts';
import { ORIGINATE_COMMAND } from './api/originate.ts';
import { type ApiCommand, type ApiEnv, ApiRegistry, type ApiResult, splitCommand } from './api/registry.ts';
import { SCHED_COMMANDS } from './api/sched_commands.ts';
import { LIMIT_COMMANDS } from './api/limit_commands.ts';
import { RECORD_COMMANDS } from './api/record_commands.ts';
import { UTILITY_APPLICATIONS, UTILITY_COMMANDS } from './utility_modules.ts';
import { loadValetParking } from './valet/module.ts';
import { CONFERENCE_COMMANDS } from './conference/api.ts';
import { CONFERENCE_APPLICATIONS } from './conference/application.ts';
import type { Conference } from './conference/conference.ts';
import { conferenceGlobals, loadConferences } from './conference/globals.ts';
import { showCommands } from './api/show.ts';
import { UUID_COMMANDS } from './api/uuid_commands.ts';
import { MOD_COMMANDS_MORE } from './api/mod_commands_more.ts';
import { moduleCommands } from './api/module_commands.ts';
import { xmlCommands } from './api/xml_commands.ts';
import { DPTOOLS } from './applications/dptools.ts';
import type { Application } from './applications/types.ts';
import { MORE_DPTOOLS } from './applications/variables_events.ts';
import { IVR_APPLICATIONS } from './applications/ivr.ts';
import { ivrMenuApplication } from './applications/ivr_menu.ts';
import { SCHED_APPLICATIONS } from './applications/sched.ts';
import { LIMIT_APPLICATIONS } from './applications/limit.ts';
import { PAGE_APPLICATION } from './applications/page.ts';
import { RECORD_APPLICATIONS } from './applications/record.ts';
import { DETECT_APPLICATIONS } from './applications/detect.ts';
import { CALL_FEATURE_APPLICATIONS } from './applications/call_features.ts';
import { SAY_APPLICATIONS } from './applications/say.ts';
import { PHRASE_APPLICATIONS } from './applications/phrase.ts';
import { LOOP_PLAYBACK_APPLICATIONS } from './applications/loop_playback.ts';
import { SPEAK_APPLICATIONS } from './applications/speak.ts';
import { type SpeechInterface, addSpeechInterface } from './speech/registry.ts';
import { TTS_COMMANDLINE_CONF } from './speech/tts_commandline.ts';
import { loadTtsCommandline } from './speech/module.ts';
import { FIFO_CONF, loadFifo } from './fifo/module.ts';
import { CALLCENTER_CONF, loadCallcenter } from './callcenter/module.ts';
import type { BusyChannel, ChannelServices, ChannelSpec, EndpointInterface } from './channel/channel.ts';
import { BUILTIN_ENDPOINTS } from './endpoints/builtin.ts';
import { ChannelServer } from './channel/server.ts';
import type { XmlElement } from './config/xml.ts';
import { type SwitchLogLine, SwitchCore } from './core/core.ts';
import type { CpuTimes } from './core/idle_cpu.ts';
import { type SwitchIdentityOptions, makeIdentity } from './core/identity.ts';
import { type Dialplan, fetchingDialplan, xmlDialplan } from './dialplan/dialplan.ts';
import type { EventBus } from './events/bus.ts';
import { LiveConf, aclCommand, checkAclApplication, reloadaclCommand, reloadxmlCommand, startConf } from './config/live.ts';
import { addCoreTasks } from './core/heartbeat.ts';
import { coreScheduler } from './core/scheduler.ts';
import { mediaClockWorker } from './media/media_clock.ts';
import { type ReaperWatch, sessionReaper } from './core/reaper.ts';
import { FSCTL_COMMAND, SHUTDOWN_COMMANDS } from './api/fsctl.ts';
import { originateCall } from './originate/originate.ts';
import { BRIDGE_APP } from './applications/bridge.ts';
import { openCfg } from './config/open_cfg.ts';
import { LOCAL_STREAM_COMMAND } from './local_stream/api.ts';
import { LOCAL_STREAM_CONF, loadLocalStream } from './local_stream/module.ts';
import { localStreamsSupervisor } from './local_stream/supervisor.ts';
import { type MessageReply, sendevent, sendmsg } from './messages/handle.ts';

export interface SwitchOptions {
  readonly identity?: SwitchIdentityOptions;
  /** Epoch ms of the start (default: now). Event dates are this plus the runtime clock's progress. */
  readonly startEpochMs?: number;
  readonly utcOffsetMinutes?: (epochMs: number) => number;
  /** The dialplan: an object with `hunt`, or the XML element holding the `<context>`s. */
  readonly dialplan?: Dialplan | XmlElement;
  /** More applications (a name replaces a built-in one). */
  readonly applications?: readonly Application[];
  readonly apiCommands?: readonly ApiCommand[];
  readonly globals?: Iterable<readonly [string, string]>;
  readonly log?: (line: SwitchLogLine) => void;
  /** bgapi: jobs running at once (default 8) and jobs waiting at most (default 1000). */
  readonly bgapiConcurrency?: number;
  readonly bgapiQueueLimit?: number;
  /**
   * A conf/ directory in FreeSWITCH's layout (`freeswitch.xml` + includes): its switch.conf
   * settings apply where no option below says otherwise, its dialplan is used when `dialplan`
   * is not given, `reloadxml` re-reads it. A document that does not load throws ConfError.
   */
  readonly confDir?: string;
  readonly maxSessions?: number;
  readonly sessionsPerSecond?: number;
  readonly heartbeatIntervalSec?: number;
  /** The hard log level (0–7, -1 = disabled). */
  readonly logLevel?: number;
  /**
   * The scheduler process (default true): HEARTBEAT, RE_SCHEDULE, and the tasks sched_api and the
   * other sched_* add. Without it tasks can still be added and deleted, but none runs or goes.
   */
  readonly timers?: boolean;
  /**
   * The machine's CPU counters, read for the idle CPU figure (`status`, HEARTBEAT's Idle-CPU,
   * `min-idle-cpu`): `systemCpuTimes` reads the real ones. Without it idle CPU is not measured and
   * reads 100.
   */
  readonly cpuTimes?: () => CpuTimes | undefined;
}

export class Switch {
  readonly core: SwitchCore;
  readonly services: ChannelServices;
  readonly registry = new ApiRegistry();
  /** The chat interfaces (`sip` from mod_sofia) the `chat` command and switch_core_chat_send reach. */
  readonly chat: ChatInterfaces;
  /** Background jobs refused because the queue was full. */
  bgapiOverflow = 0;
  readonly #where: Where;
  readonly #top: Pid;
  readonly #jobs: PQueue;
  readonly #jobLimit: number;
  /** The channels supervisor's current pid (its supervisor may have restarted it). */
  readonly #channels: () => Pid | undefined;
  /** The reaper's current pid (its supervisor may have restarted it). */
  readonly #reaper: () => Pid | undefined;
  /** The loaded conf/ (ACL lists, the current XML); `reloadxml` swaps it. */
  readonly conf: LiveConf;
  readonly #applications: Map<string, Application>;
  readonly #endpoints: Map<string, EndpointInterface>;

  constructor(
    where: Where,
    services: ChannelServices,
    top: Pid,
    channels: () => Pid | undefined,
    reaper: () => Pid | undefined,
    options: SwitchOptions,
    conf: LiveConf | undefined,
    applications: Map<string, Application>,
    endpoints: Map<string, EndpointInterface>,
  ) {
    this.#where = where;
    this.#applications = applications;
    this.#endpoints = endpoints;
    this.services = services;
    this.core = services.core;
    this.chat = new ChatInterfaces(this.core);
    this.#top = top;
    this.#channels = channels;
    this.#jobs = new PQueue({ concurrency: options.bgapiConcurrency ?? 8 });
    this.#jobLimit = options.bgapiQueueLimit ?? 1000;
    this.#reaper = reaper;
    this.conf = conf ?? new LiveConf(this.core);
    this.registry.add(
      ...CORE_COMMANDS,
      sayStringCommand,
      ...UUID_COMMANDS,
      ...showCommands(this.registry),
      ORIGINATE_COMMAND,
      this.#bgapiCommand(),
      reloadxmlCommand(this.conf),
      reloadaclCommand(this.conf),
      aclCommand(this.conf),
      FSCTL_COMMAND,
      ...SHUTDOWN_COMMANDS,
      ...CHANNEL_COMMANDS,
      ...DPTOOLS_COMMANDS,
      ...MEDIA_COMMANDS,
      ...SCHED_COMMANDS,
      ...LIMIT_COMMANDS,
      ...RECORD_COMMANDS,
      ...MOD_COMMANDS_MORE,
      ...moduleCommands(this.registry),
      ...xmlCommands(this.registry, this.conf),
      ...UTILITY_COMMANDS,
      ...CONFERENCE_COMMANDS,
      ...chatCommands(this.chat),
      jsonCommand(this.registry),
      helpCommand(this.registry),
      ...(options.apiCommands ?? []),
    );
    if (!this.#applications.has('check_acl')) this.addApplication(checkAclApplication(this.conf));
  }

  get events(): EventBus {
    return this.core.bus;
  }

  get supervisor(): Pid {
    return this.#top;
  }

  /**
   * Adds (or replaces) a dialplan application on the running switch, as a module's load does
   * (switch_loadable_module); returns its removal. Channels look applications up when they run them.
   */
  addApplication(app: Application): () => void {
    return addTo(this.#applications, app.name.toLowerCase(), app);
  }

  /**
   * Adds (or replaces) an endpoint interface, as an endpoint module's load does; dial strings
   * `<name>/<data>` (name in any case) then reach it. Returns its removal.
   */
  addEndpoint(name: string, endpoint: EndpointInterface): () => void {
    return addTo(this.#endpoints, name.toLowerCase(), endpoint);
  }

  /**
   * Adds (or replaces) a speech (TTS) engine, as a speech module's load does; `speak`, `say:`,
   * `tts://` and the conference's `say` then find it by name. Returns its removal.
   */
  addSpeech(engine: SpeechInterface): () => void {
    return addSpeechInterface(this.core, engine);
  }

  /**
   * Starts a channel process under the channel supervisor, once `core.requestSession` allows it.
   * `admitted`: the endpoint requested the session itself when the call arrived (sofia, at the
   * INVITE), so only max-sessions is checked again.
   */
  async startChannel(where: Where, spec: ChannelSpec, admitted = false): Promise<Pid> {
    const core = this.core;
    const refused = admitted ? core.limits.full(core.sessions.count) : core.requestSession(spec.direction);
    if (refused !== undefined) {
      if (admitted) core.log('CRIT', refused);
      throw new Error(refused);
    }
    const channels = this.#channels();
    if (!channels) throw new Error('the channels supervisor is not running');
    const r = await Supervisor.startChild(where, channels, [spec]);
    if (!r.ok || !r.pid) throw new Error(`channel start failed: ${String(r.ok ? 'ignored' : r.error)}`);
    const reaper = this.#reaper();
    if (reaper) this.#where.send(reaper, { watch: r.pid, uuid: spec.uuid } satisfies ReaperWatch);
    return r.pid;
  }

  /** switch_api_execute, in a process of its own (`from`: the channel whose expansion waits for it). */
  execute(command: string, args = '', from?: BusyChannel): Promise<ApiResult> {
    return this.#inProcess((ctx) => this.registry.execute(command, args, { ...this.#env(ctx), ...(from ? { busyChannel: from } : {}) }));
  }

  /**
   * `${cmd args}` in the expansion of the channel `from` (or of none): the command's output, in a
   * process of its own; `from` waits for this output, so a command on it gets only its reads
   * answered (BusyChannel).
   */
  async expansionApi(command: string, args: string, from?: BusyChannel): Promise<string | undefined> {
    // switch_channel_expand_variables_check: with `fsctl api_expansion off` no command runs
    if (!this.core.control.apiExpansion) return '<API Execute Permission Denied>';
    const r = await this.execute(command, args, from);
    return r.found ? r.output : undefined;
  }

  /** A command line as fs_cli / ESL `api` show it: unknown commands give `-ERR <cmd> Command not found!\n`. */
  async api(line: string): Promise<string> {
    const [cmd, args] = splitCommand(line);
    const r = await this.execute(cmd, args);
    return r.found ? r.output : `-ERR ${cmd} Command not found!\n`;
  }

  /**
   * sendmsg `execute`: queue an application on a channel (Application-UUID = `appUuid` when
   * given). False when there is no such channel.
   */
  sendExecute(uuid: string, application: string, data = '', appUuid?: string): Promise<boolean> {
    return this.#inProcess(async (ctx) => {
      const pid = this.core.sessions.get(uuid);
      if (!pid) return false;
      const req = appUuid === undefined ? { op: 'execute', application, data } : { op: 'execute', application, data, appUuid };
      try {
        await GenServer.call(ctx, pid, req);
        return true;
      } catch {
        return false;
      }
    });
  }

  /** sendmsg (spec §4.1): `ok` once the command is queued, or an error. */
  sendmsg(uuid: unknown, headers: unknown, body?: string): Promise<MessageReply> {
    return this.#inProcess((ctx) => sendmsg(this.#env(ctx), uuid, headers, body));
  }

  /** sendevent (spec §4.2): `ok`, `badarg`, or undefined for an unknown event name. */
  sendevent(name: unknown, headers: unknown, subclass?: unknown): 'ok' | 'badarg' | undefined {
    return sendevent(this.core, name, headers, subclass);
  }

  /** `originate <args>`. */
  originate(args: string): Promise<string> {
    return this.api(`originate ${args}`);
  }

  /** Hangs up every channel (SYSTEM_SHUTDOWN, through the supervisor's shutdown) and stops the tree with its scheduler and reaper. */
  async stop(): Promise<void> {
    await Supervisor.stop(this.#where, this.#top);
    await this.#jobs.onIdle();
    this.core.bus.close();
  }

  #env(ctx: ProcessContext): ApiEnv {
    return { ctx, core: this.core, sw: this };
  }

  #inProcess<T>(fn: (ctx: ProcessContext) => Promise<T>): Promise<T> {
    return inProcess(this.#where, fn);
  }

  #bgapiCommand(): ApiCommand {
    return {
      name: 'bgapi',
      run: (args) => {
        // mod_commands' bgapi_function: `[uuid:<job uuid> ]<command> [<args>]`
        let line = args;
        let givenUuid: string | undefined;
        if (line.slice(0, 5).toLowerCase() === 'uuid:') {
          const sp = line.indexOf(' ', 5);
          givenUuid = sp < 0 ? undefined : line.slice(5, sp);
          line = sp < 0 ? '' : line.slice(sp + 1);
        }
        const [cmd, cmdArgs] = splitCommand(line);
        if (!cmd) return '-ERR Invalid syntax\n';
        if (this.#jobs.size + this.#jobs.pending >= this.#jobLimit) {
          this.bgapiOverflow++;
          this.core.log('ERR', `bgapi queue full (${this.#jobLimit}): ${cmd} refused, ${this.bgapiOverflow} refused so far`);
          return '-ERR Job queue full\n';
        }
        const jobUuid = givenUuid || this.core.newUuid();
        void this.#jobs.add(async () => {
          const r = await this.execute(cmd, cmdArgs);
          const event = this.core.bus.create('BACKGROUND_JOB');
          event.addHeader('Job-UUID', jobUuid);
          event.addHeader('Job-Command', cmd);
          event.addHeader('Job-Command-Arg', cmdArgs);
          // mod_commands' bgapi_exec words it so whenever switch_api_execute fails (mod_event_socket's bgapi says -ERR)
          event.body = r.found && !r.failed ? r.output : `${cmd}: Command not found!\n`;
          this.core.fire(event);
        });
        return `+OK Job-UUID: ${jobUuid}\n`;
      },
    };
  }
}

/** Runs `fn` in a process of its own, spawned from `where`. */
function inProcess<T>(where: Where, fn: (ctx: ProcessContext) => Promise<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    where.spawn(async (ctx) => {
      try {
        resolve(await fn(ctx));
      } catch (err) {
        reject(err);
      }
    });
  });
}

/** The running child `id` of the supervisor `sup`, looked up now; an error when it is not running. */
async function childOf(where: Where, sup: Pid, id: string): Promise<Pid> {
  const pid = (await Supervisor.whichChildren(where, sup)).find((c) => c.id === id)?.pid;
  if (!pid || pid === 'restarting') throw new Error(`the ${id} supervisor is not running`);
  return pid;
}

/** Sets `key`; the removal puts back what was there before, unless `key` was replaced since. */
function addTo<T>(map: Map<string, T>, key: string, value: T): () => void {
  const before = map.get(key);
  map.set(key, value);
  return () => {
    if (map.get(key) !== value) return;
    if (before) map.set(key, before);
    else map.delete(key);
  };
}

/**
 * The `conferences` supervisor. One that is restarted (killed from outside) starts empty: its
 * start gives every conference still in mod_conference's table a process again, and mixing goes
 * on with the members it has (DECISIONS #392).
 */
function conferencesSupervisor(core: SwitchCore): ChildSpec {
  return {
    id: 'conferences',
    type: 'supervisor',
    start: async (ctx) => {
      const sup = await Supervisor.start(ctx, {
        strategy: 'simple_one_for_one',
        children: [{ id: 'conference', restart: 'temporary', start: (c: ProcessContext, conf: Conference) => c.spawnLink((p) => conf.run(p)) }],
      });
      for (const conf of conferenceGlobals(core)?.conferences.values() ?? []) {
        if (conf.flags.has('DESTRUCT')) continue;
        core.log('WARNING', `conference ${conf.name}: its process ended with its supervisor; it goes on in a new one`);
        const r = await Supervisor.startChild(ctx, sup, [conf]);
        if (!r.ok) core.log('ERR', `conference ${conf.name}: its process did not start: ${String(r.error)}`);
      }
      return sup;
    },
  };
}

const nowOf = (where: Where) => (where instanceof Runtime ? () => where.clock.now() : () => where.now());

export async function startSwitch(where: Where, options: SwitchOptions = {}): Promise<Switch> {
  const core = new SwitchCore({
    identity: makeIdentity(options.identity),
    startEpochMs: options.startEpochMs ?? Date.now(),
    now: nowOf(where),
    ...(options.utcOffsetMinutes ? { utcOffsetMinutes: options.utcOffsetMinutes } : {}),
    ...(options.log ? { log: options.log } : {}),
    ...(options.globals ? { globals: options.globals } : {}),
    ...(options.maxSessions === undefined ? {} : { maxSessions: options.maxSessions }),
    ...(options.sessionsPerSecond === undefined ? {} : { sessionsPerSecond: options.sessionsPerSecond }),
    ...(options.heartbeatIntervalSec === undefined ? {} : { heartbeatIntervalSec: options.heartbeatIntervalSec }),
    ...(options.logLevel === undefined ? {} : { logLevel: options.logLevel }),
    ...(options.cpuTimes ? { cpuTimes: options.cpuTimes } : {}),
  });
  addCoreTasks(core);
  loadValetParking(core);
  const conf = startConf(core, options);
  const applications = new Map<string, Application>();
  for (const app of [
    ...DPTOOLS,
    ...MORE_DPTOOLS,
    ...IVR_APPLICATIONS,
    // ivr.conf through the configuration lookup: XML-fetch bindings first, then the static XML
    ivrMenuApplication(conf),
    ...SCHED_APPLICATIONS,
    ...LIMIT_APPLICATIONS,
    ...RECORD_APPLICATIONS,
    PAGE_APPLICATION,
    ...UTILITY_APPLICATIONS,
    ...DETECT_APPLICATIONS,
    ...CALL_FEATURE_APPLICATIONS,
    ...SAY_APPLICATIONS,
    ...PHRASE_APPLICATIONS,
    ...LOOP_PLAYBACK_APPLICATIONS,
    ...SPEAK_APPLICATIONS,
    ...CONFERENCE_APPLICATIONS,
    BRIDGE_APP,
    ...(options.applications ?? []),
  ])
    applications.set(app.name.toLowerCase(), app);
  const endpoints = new Map<string, EndpointInterface>();
  let sw: Switch | undefined;
  const dp = options.dialplan;
  const staticPlan = dp === undefined ? (conf.current ? conf.dialplan : undefined) : 'hunt' in dp ? dp : xmlDialplan(dp, core);
  // XML-fetch bindings (conf.xmlBindings) are asked first, at each hunt
  const dialplan = fetchingDialplan(conf.xmlBindings, staticPlan, core);

  const services: ChannelServices = {
    core,
    applications,
    endpoints,
    dialplan,
    startChannel: (ctx, spec) => {
      if (!sw) throw new Error('switch not started');
      return sw.startChannel(ctx, spec);
    },
    originate: (ctx, req) => originateCall(ctx, services, req),
    api: (command, args, from) => (sw ? sw.expansionApi(command, args, from) : Promise.resolve(undefined)),
    locateUser: (id, domain, params) =>
      locateUser(
        { locate: (...a) => (sw ? sw.conf.locate(...a) : Promise.resolve(undefined)), requestParams: () => core.bus.create('REQUEST_PARAMS') },
        id,
        domain,
        params,
      ),
    locateLanguage: (lang, params) =>
      locateLanguage(
        { locate: (...a) => (sw ? sw.conf.locate(...a) : Promise.resolve(undefined)), log: (level, text) => core.log(level, text) },
        lang,
        params,
      ),
  };
  const workers: ChildSpec[] = [];
  if (options.timers ?? true) {
    // the startup round runs now, before anyone can subscribe (as FreeSWITCH's, before modules load);
    // a restarted scheduler goes on with the same task list
    await inProcess(where, (ctx) => core.scheduler.runDue(ctx));
    workers.push({ id: 'scheduler', start: (ctx) => ctx.spawnLink((c) => coreScheduler(c, core.scheduler)) });
  }
  workers.push({ id: 'media_clock', start: (ctx) => ctx.spawnLink((c) => mediaClockWorker(c, core.mediaClock)) });
  let reaper: Pid | undefined;
  workers.push({
    id: 'reaper',
    start: (ctx) => {
      reaper = ctx.spawnLink((c) => sessionReaper(c, core));
      return reaper;
    },
  });
  let channels: Pid | undefined;
  const top = await Supervisor.start(where, {
    strategy: 'one_for_one',
    intensity: 5,
    period: 10,
    children: [
      ...workers,
      // mod_local_stream: a process per stream, launched from local_stream.conf
      localStreamsSupervisor(core),
      // mod_conference: a process per conference, made by its first member
      conferencesSupervisor(core),
      {
        id: 'channels',
        type: 'supervisor',
        start: async (ctx) => {
          // kept for every channel start: a restart (killed from outside) replaces it
          channels = await Supervisor.start(ctx, {
            strategy: 'simple_one_for_one',
            children: [
              {
                id: 'channel',
                restart: 'temporary',
                shutdown: 5000,
                start: (c: ProcessContext, spec: ChannelSpec) => GenServer.startLink(c, ChannelServer, { spec, services }, { trapExit: true }),
              },
            ],
          });
          return channels;
        },
      },
    ],
  });
  /** A child of the simple_one_for_one supervisor `id` under the switch's top, started with `arg`. */
  const startUnder = async (ctx: Where, id: string, arg: unknown): Promise<void> => {
    const started = await Supervisor.startChild(ctx, await childOf(ctx, top, id), [arg]);
    if (!started.ok) throw new Error(String(started.error));
  };
  loadConferences(
    core,
    (ctx, room) => startUnder(ctx, 'conferences', room),
    // conference.conf through the configuration lookup: XML-fetch bindings first, then the static XML
    (section, tag, key, value, params) => conf.locate(section, tag, key, value, params),
  );
  sw = new Switch(
    where,
    services,
    top,
    () => channels,
    () => reaper,
    options,
    conf,
    applications,
    endpoints,
  );
  for (const [name, endpoint] of BUILTIN_ENDPOINTS) sw.addEndpoint(name, endpoint);
  const streams = await loadLocalStream(where, {
    core,
    config: () => openCfg(conf, LOCAL_STREAM_CONF),
    start: (ctx, stream) => startUnder(ctx, 'local_streams', stream),
  });
  if (streams) sw.registry.add(LOCAL_STREAM_COMMAND);
  await loadTtsCommandline(core, () => openCfg(conf, TTS_COMMANDLINE_CONF));
  // mod_fifo's fifo.conf (static queues and members) and its outbound node thread
  await loadFifo(where, services, top, () => openCfg(conf, FIFO_CONF));
  // mod_callcenter's callcenter.conf (queues, agents, tiers) and its agent dispatch thread
  await loadCallcenter(where, services, top, () => openCfg(conf, CALLCENTER_CONF));
  return sw;
}
