import { all, child, dateTime, enumeration, integer, numberOf, struct, text, textOf, boolean } from './kmip-items';
import type { KmipObject } from './kmip-objects';
import { NAME_TYPE, OBJECT_TYPE, TAG } from './kmip-tags';
import type { TtlvItem } from './ttlv';

/** The attributes a Create, Create Key Pair or Register names (KMIP 1.x Template-Attribute structures). */
export interface RequestedAttributes {
  algorithm?: number;
  length?: number;
  usageMask?: number;
  name?: string;
  curve?: number;
}

/** Reads Attribute items (a template's, or a payload's own) into what okmsd uses; others are ignored. */
export function readAttributes(...templates: ReadonlyArray<TtlvItem | undefined>): RequestedAttributes {
  const out: RequestedAttributes = {};
  for (const template of templates) {
    for (const attribute of all(template, TAG.Attribute)) {
      const name = textOf(child(attribute, TAG.AttributeName));
      const value = child(attribute, TAG.AttributeValue);
      if (name === 'Cryptographic Algorithm') out.algorithm = numberOf(value);
      else if (name === 'Cryptographic Length') out.length = numberOf(value);
      else if (name === 'Cryptographic Usage Mask') out.usageMask = numberOf(value);
      else if (name === 'Name') out.name = textOf(child(value, TAG.NameValue));
      else if (name === 'Cryptographic Domain Parameters') out.curve = numberOf(child(value, TAG.RecommendedCurve));
    }
  }
  return out;
}

const attribute = (name: string, value: TtlvItem): TtlvItem => struct(TAG.Attribute, text(TAG.AttributeName, name), { ...value, tag: TAG.AttributeValue } as TtlvItem);

/** Every attribute okmsd keeps of an object, by name, as KMIP writes them. */
export function attributesOf(object: KmipObject): Map<string, TtlvItem> {
  const out = new Map<string, TtlvItem>();
  out.set('Unique Identifier', attribute('Unique Identifier', text(0, object.uid)));
  out.set('Object Type', attribute('Object Type', enumeration(0, OBJECT_TYPE[object.objectType])));
  if (object.algorithm !== undefined) out.set('Cryptographic Algorithm', attribute('Cryptographic Algorithm', enumeration(0, object.algorithm)));
  if (object.length !== undefined) out.set('Cryptographic Length', attribute('Cryptographic Length', integer(0, object.length)));
  out.set('Cryptographic Usage Mask', attribute('Cryptographic Usage Mask', integer(0, object.usageMask)));
  if (object.name) out.set('Name', attribute('Name', struct(0, text(TAG.NameValue, object.name), enumeration(TAG.NameType, NAME_TYPE.UninterpretedTextString))));
  out.set('State', attribute('State', enumeration(0, object.state)));
  out.set('Initial Date', attribute('Initial Date', dateTime(0, object.createdAt)));
  if (object.activatedAt) out.set('Activation Date', attribute('Activation Date', dateTime(0, object.activatedAt)));
  if (object.deactivatedAt) out.set('Deactivation Date', attribute('Deactivation Date', dateTime(0, object.deactivatedAt)));
  out.set('Extractable', attribute('Extractable', boolean(0, object.extractable)));
  return out;
}
