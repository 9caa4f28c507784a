/**
 * The say types, methods and genders by name (switch_ivr_say.c): a name is looked up in any case;
 * one that is not known is the index past the last, which no say module handles.
 */

export enum SayMethod {
  NA = 0,
  PRONOUNCED = 1,
  ITERATED = 2,
  COUNTED = 3,
  PRONOUNCED_YEAR = 4,
}

export enum SayType {
  NUMBER = 0,
  ITEMS = 1,
  PERSONS = 2,
  MESSAGES = 3,
  CURRENCY = 4,
  TIME_MEASUREMENT = 5,
  CURRENT_DATE = 6,
  CURRENT_TIME = 7,
  CURRENT_DATE_TIME = 8,
  TELEPHONE_NUMBER = 9,
  TELEPHONE_EXTENSION = 10,
  URL = 11,
  IP_ADDRESS = 12,
  EMAIL_ADDRESS = 13,
  POSTAL_ADDRESS = 14,
  ACCOUNT_NUMBER = 15,
  NAME_SPELLED = 16,
  NAME_PHONETIC = 17,
  SHORT_DATE_TIME = 18,
}

const METHOD_NAMES = ['N/A', 'PRONOUNCED', 'ITERATED', 'COUNTED', 'PRONOUNCED_YEAR'];
const TYPE_NAMES = Object.keys(SayType).filter((k) => Number.isNaN(Number(k)));
const GENDER_NAMES = ['MASCULINE', 'FEMININE', 'NEUTER'];

const indexIn = (names: readonly string[], name: string | undefined): number => {
  if (name === undefined) return 0;
  const i = names.findIndex((n) => n.toLowerCase() === name.toLowerCase());
  return i < 0 ? names.length : i;
};

/** switch_ivr_get_say_method_by_name. */
export const sayMethodByName = (name: string | undefined): SayMethod => indexIn(METHOD_NAMES, name);
/** switch_ivr_get_say_type_by_name. */
export const sayTypeByName = (name: string | undefined): SayType => indexIn(TYPE_NAMES, name);
/** switch_ivr_get_say_gender_by_name (English says no word differently by gender). */
export const sayGenderByName = (name: string | undefined): number => indexIn(GENDER_NAMES, name);
