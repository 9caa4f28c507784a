/**
 * switch_ivr_generate_json_cdr for a live channel: core-uuid, switchname, channel_data,
 * callStats, variables, app_log and callflow, in FreeSWITCH's key order. What the switch does
 * not have is left out rather than made up: channel flags and caps, RTP statistics (callStats
 * stays an empty object, as for a FreeSWITCH channel without media), execute_extension's
 * sub-extensions.
 */
import type { ChannelRecord, ExtensionRecord, ProfileRecord } from '../channel/callflow.ts';
import type { CallerProfile, ProfileTimes } from '../channel/profile.ts';
import { stateNumber } from '../channel/states.ts';
import { CJson } from './cjson.ts';

export interface CdrIdentity {
  readonly coreUuid: string;
  readonly switchname: string;
}

export function generateJsonCdr(ch: ChannelRecord, core: CdrIdentity): CJson {
  const cdr = CJson.object();
  cdr.add('core-uuid', CJson.string(core.coreUuid));
  cdr.add('switchname', CJson.string(core.switchname));
  cdr.add(
    'channel_data',
    CJson.object()
      .add('state', CJson.string(ch.state))
      .add('direction', CJson.string(ch.direction))
      .add('state_number', CJson.string(String(stateNumber(ch.state)))),
  );
  cdr.add('callStats', CJson.object());
  const variables = CJson.object();
  for (const [name, value] of ch.variables) if (name !== '' && value !== '') variables.add(name, CJson.string(value));
  cdr.add('variables', variables);
  if (ch.appLog.length > 0) {
    const apps = CJson.array();
    for (const ap of ch.appLog)
      apps.push(
        CJson.object()
          .add('app_name', CJson.string(ap.app))
          .add('app_data', CJson.string(ap.arg))
          .add('app_stamp', CJson.string(micros(ap.stamp))),
      );
    cdr.add('app_log', CJson.object().add('applications', apps));
  }
  const callflow = CJson.array();
  for (const record of ch.callflow) callflow.push(profileEntry(record));
  cdr.add('callflow', callflow);
  return cdr;
}

function profileEntry(record: ProfileRecord): CJson {
  const p = record.profile;
  const entry = CJson.object();
  if (p.dialplan) entry.add('dialplan', CJson.string(p.dialplan));
  if (p.profileIndex) entry.add('profile_index', CJson.string(p.profileIndex));
  if (record.extension) entry.add('extension', extensionEntry(record.extension));
  const main = profileData(p);
  if (record.originators.length > 0) main.add('originator', otherLegs('originator_caller_profiles', record.originators));
  if (record.originatees.length > 0) main.add('originatee', otherLegs('originatee_caller_profiles', record.originatees));
  entry.add('caller_profile', main);
  if (p.times) entry.add('times', timesEntry(p.times));
  return entry;
}

function extensionEntry(ext: ExtensionRecord): CJson {
  const apps = CJson.array();
  const out = CJson.object().add('name', CJson.string(ext.name)).add('number', CJson.string(ext.number)).add('applications', apps);
  const current = ext.current === undefined ? undefined : ext.applications[ext.current];
  if (current) out.add('current_app', CJson.string(current.application));
  ext.applications.forEach((ap, i) => {
    const app = CJson.object();
    if (i === ext.current) app.add('last_executed', CJson.string('true'));
    apps.push(app.add('app_name', CJson.string(ap.application)).add('app_data', CJson.string(ap.data)));
  });
  return out;
}

function otherLegs(name: string, profiles: readonly CallerProfile[]): CJson {
  const list = CJson.array();
  for (const p of profiles) list.push(profileData(p));
  return CJson.object().add(name, list);
}

/** switch_ivr_set_json_profile_data's fields in its order (an unset field is empty, as switch_caller_profile_new leaves it). */
function profileData(p: CallerProfile): CJson {
  const fields: [string, string | undefined][] = [
    ['username', p.username],
    ['dialplan', p.dialplan],
    ['caller_id_name', p.callerIdName],
    ['ani', p.ani],
    ['aniii', p.aniii],
    ['caller_id_number', p.callerIdNumber],
    ['network_addr', p.networkAddr],
    ['rdnis', p.rdnis],
    ['destination_number', p.destinationNumber],
    ['uuid', p.uuid],
    ['source', p.source],
    ['context', p.context],
    ['chan_name', p.chanName],
  ];
  const out = CJson.object();
  for (const [name, value] of fields) out.add(name, CJson.string(value ?? ''));
  return out;
}

function timesEntry(t: ProfileTimes): CJson {
  const fields: [string, number][] = [
    ['created_time', t.created],
    ['profile_created_time', t.profileCreated],
    ['progress_time', t.progress],
    ['progress_media_time', t.progressMedia],
    ['answered_time', t.answered],
    ['bridged_time', t.bridged],
    ['last_hold_time', t.lastHold],
    ['hold_accum_time', t.holdAccum],
    ['hangup_time', t.hungup],
    ['resurrect_time', t.resurrected],
    ['transfer_time', t.transferred],
  ];
  const out = CJson.object();
  for (const [name, us] of fields) out.add(name, CJson.string(micros(us)));
  return out;
}

/** A switch_time_t printed with SWITCH_TIME_T_FMT: whole microseconds. */
const micros = (us: number) => String(Math.trunc(us));
