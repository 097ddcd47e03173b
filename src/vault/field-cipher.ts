/** A record's fields, each sealed under the subject's data key and bound to its record id and field name. */
import { open, seal } from './aes-gcm.js';

export type Fields = Record<string, string>;

export function encryptFields(dataKey: Buffer, recordId: string, fields: Fields): string {
  return JSON.stringify(
    Object.fromEntries(Object.entries(fields).map(([name, value]) => [name, seal(dataKey, Buffer.from(value, 'utf8'), `${recordId}\0${name}`)])),
  );
}

export function decryptFields(dataKey: Buffer, recordId: string, data: string): Fields {
  const sealed = JSON.parse(data) as Record<string, string>;
  return Object.fromEntries(Object.entries(sealed).map(([name, value]) => [name, open(dataKey, value, `${recordId}\0${name}`).toString('utf8')]));
}
