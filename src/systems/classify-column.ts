/**
 * Whether a column looks like it holds personal data, and of which kind, from its name, its
 * type and, when given, the shape of a few of its values. One classifier serves discovery
 * (which proposes fields) and `vow systems check` (which warns of undeclared ones), so the
 * two never disagree on what looks personal. Values are only tested, never kept or returned.
 */
import { isIP } from 'node:net';

export const personalKinds = ['email', 'phone', 'ip-address', 'name', 'birth-date', 'postal-address', 'free-text', 'user-id'] as const;
export type PersonalKind = (typeof personalKinds)[number];

export interface ColumnFacts {
  table: string;
  name: string;
  /** As the database reports it, lower-cased (`varchar`, `character varying`, `text`, `inet`). */
  dataType: string;
  /** A bounded sample of non-null values as text; absent when none was read. */
  sample?: readonly string[];
}

const textual = /char|text|string|clob|citext|json/;
const dateLike = /^(date|datetime|timestamp)/;

/** Tables whose rows are people, where a bare `name` column is a person's name. */
const peopleTables =
  /(^|_)(users?|customers?|accounts?|members?|people|persons?|contacts?|subscribers?|employees?|patients?|students?|clients?|profiles?|authors?|leads?|recipients?)$/;

const byName: readonly (readonly [PersonalKind, RegExp])[] = [
  ['email', /(^|_)e?mail(_?address)?$|email/],
  ['phone', /(^|_)(phone|mobile|cell|msisdn|telephone|tel|fax)(_?(number|no))?$|phone/],
  ['ip-address', /(^|_)ip(_?addr(ess)?)?$|(^|_)ip_|remote_addr|client_addr/],
  ['birth-date', /birth|(^|_)dob$/],
  [
    'name',
    /^(first|last|full|given|family|middle|display|maiden|nick|legal)_?name$|^(surname|forename|fullname)$|^(customer|contact|user|author|recipient|billing|shipping|holder|owner|sender|card_?holder)_?name$/,
  ],
  ['postal-address', /(^|_)(address|street|addr)(_?line)?_?\d?$|(^|_)(city|town|post_?code|postal_?code|zip(_?code)?)$/],
  ['free-text', /(^|_)(notes?|comments?|messages?|body|bio|about|remarks|feedback)$/],
  ['user-id', /^(user|customer|account|member|client|subscriber|person|profile|subject|patient|employee)_?(id|uuid|number|no)$|^external_?id$/],
];

const emailShape = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const isoDate = /^\d{4}-\d{2}-\d{2}/;
/** An international prefix or separators; a bare run of digits is too often an id or an amount. */
const phoneShape = (value: string) => {
  const digits = value.replace(/\D/g, '').length;
  return /^\+?[\d\s().-]+$/.test(value) && !isoDate.test(value) && digits >= 7 && digits <= 15 && /^\+|[\s().-]/.test(value);
};
const personNameShape = /^\p{Lu}[\p{L}'’-]*( \p{Lu}[\p{L}'’.-]*){0,3}$/u;
const freeTextShape = (values: readonly string[]) => {
  const total = values.reduce((sum, value) => sum + value.length, 0);
  const spaced = values.filter((value) => (value.match(/\s/g) ?? []).length >= 3).length;
  return total / values.length >= 40 && spaced / values.length >= 0.5;
};

/** Most of the sample, so that one odd row neither makes nor unmakes a kind. */
const mostly = (values: readonly string[], test: (value: string) => boolean) => values.filter(test).length / values.length >= 0.6;

/** `fullName` and `full_name` alike. */
function normalized(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
}

export function classifyColumn(column: ColumnFacts): PersonalKind | undefined {
  const name = normalized(column.name);
  const type = column.dataType.toLowerCase();
  const isText = textual.test(type);
  if (type === 'inet' || type === 'cidr') return 'ip-address';

  for (const [kind, pattern] of byName) {
    if (!pattern.test(name)) continue;
    if (kind === 'birth-date' && !(dateLike.test(type) || isText)) continue;
    if (kind === 'user-id' || kind === 'birth-date' || kind === 'ip-address' || isText) return kind;
  }
  if (!isText) return undefined;

  const sample = (column.sample ?? []).filter((value) => value.trim() !== '');
  if (name === 'name' && (peopleTables.test(normalized(column.table)) || (sample.length > 0 && mostly(sample, (value) => personNameShape.test(value))))) {
    return 'name';
  }
  if (sample.length === 0) return undefined;
  if (mostly(sample, (value) => emailShape.test(value))) return 'email';
  if (mostly(sample, (value) => isIP(value) !== 0)) return 'ip-address';
  if (mostly(sample, phoneShape)) return 'phone';
  if (freeTextShape(sample)) return 'free-text';
  return undefined;
}
