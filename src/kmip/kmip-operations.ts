import type { DomainRecord } from '../domain/types';
import { attributesOf, readAttributes } from './kmip-attributes';
import { all, bytes, bytesOf, child, enumeration, integer, numberOf, struct, text, textOf } from './kmip-items';
import { KmipFailure, type KmipObject, type KmipObjects } from './kmip-objects';
import { ALGORITHM, KEY_FORMAT, OBJECT_TYPE, OPERATION, QUERY_FUNCTION, REVOCATION_REASON, TAG, VERSIONS, type OperationName } from './kmip-tags';
import type { TtlvItem } from './ttlv';

/** What one batch item runs with: the caller's domain, an IAM check, and the batch's ID placeholder. */
export interface OperationContext {
  readonly domain: DomainRecord;
  readonly objects: KmipObjects;
  /** Throws PermissionDenied unless IAM allows `okms:kmip:{operation}` on the object (or on the domain). */
  authorize(uid?: string): Promise<void>;
  /** The unique identifier an earlier item of the batch produced (KMIP's ID Placeholder). */
  placeholder?: string;
}

export interface OperationResult {
  readonly payload: readonly TtlvItem[];
  /** The object the item made or acted on (the next item's ID Placeholder, the audit record's objectId). */
  readonly uid?: string;
}

type Handler = (ctx: OperationContext, payload: TtlvItem | undefined) => Promise<OperationResult>;

const SERVED_TYPES = ['SymmetricKey', 'PublicKey', 'PrivateKey', 'SecretData', 'OpaqueObject'] as const;

function uidOf(ctx: OperationContext, payload: TtlvItem | undefined): string {
  const uid = textOf(child(payload, TAG.UniqueIdentifier)) ?? ctx.placeholder;
  if (!uid) throw new KmipFailure('MissingData', 'Unique Identifier: required (no earlier item of the batch made an object)');
  return uid;
}

async function found(ctx: OperationContext, payload: TtlvItem | undefined) {
  const uid = uidOf(ctx, payload);
  await ctx.authorize(uid);
  return ctx.objects.find(ctx.domain, uid);
}

const keyBlock = (format: number, material: Buffer, object: KmipObject) =>
  struct(TAG.KeyBlock, enumeration(TAG.KeyFormatType, format), struct(TAG.KeyValue, bytes(TAG.KeyMaterial, material)),
    object.algorithm !== undefined && enumeration(TAG.CryptographicAlgorithm, object.algorithm), object.length !== undefined && integer(TAG.CryptographicLength, object.length));

/** The key material of a Register's object: its Key Block's Key Value (Raw / Opaque bytes). */
function keyMaterial(block: TtlvItem | undefined): Buffer {
  const value = child(child(block, TAG.KeyBlock), TAG.KeyValue);
  const material = bytesOf(child(value, TAG.KeyMaterial)) ?? bytesOf(value);
  if (!material) throw new KmipFailure('MissingData', 'Key Block: a Key Value with Key Material (byte string) is required');
  const format = numberOf(child(child(block, TAG.KeyBlock), TAG.KeyFormatType));
  if (format !== undefined && format !== KEY_FORMAT.Raw && format !== KEY_FORMAT.Opaque) throw new KmipFailure('KeyFormatTypeNotSupported', 'Key Format Type: Raw or Opaque only');
  return material;
}

/** The KMIP 1.0–1.4 operations okmsd serves; every other operation is answered Operation Not Supported. */
export const HANDLERS: Partial<Record<OperationName, Handler>> = {
  async DiscoverVersions(_ctx, payload) {
    const asked = all(payload, TAG.ProtocolVersion).map((v) => [numberOf(child(v, TAG.ProtocolVersionMajor)), numberOf(child(v, TAG.ProtocolVersionMinor))] as const);
    const served = asked.length === 0 ? VERSIONS : asked.filter(([major, minor]) => VERSIONS.some(([a, b]) => a === major && b === minor));
    return { payload: served.map(([major, minor]) => struct(TAG.ProtocolVersion, integer(TAG.ProtocolVersionMajor, major!), integer(TAG.ProtocolVersionMinor, minor!))) };
  },

  async Query(_ctx, payload) {
    const functions = all(payload, TAG.QueryFunction).map(numberOf);
    const out: TtlvItem[] = [];
    if (functions.includes(QUERY_FUNCTION.QueryOperations)) for (const name of Object.keys(HANDLERS) as OperationName[]) out.push(enumeration(TAG.Operation, OPERATION[name]));
    if (functions.includes(QUERY_FUNCTION.QueryObjects)) for (const type of SERVED_TYPES) out.push(enumeration(TAG.ObjectType, OBJECT_TYPE[type]));
    if (functions.includes(QUERY_FUNCTION.QueryServerInformation)) out.push(text(TAG.VendorIdentification, 'okmsd'));
    return { payload: out };
  },

  async Create(ctx, payload) {
    await ctx.authorize();
    const type = numberOf(child(payload, TAG.ObjectType));
    if (type !== OBJECT_TYPE.SymmetricKey) throw new KmipFailure('InvalidField', 'Object Type: Create makes symmetric keys (Create Key Pair makes the others)');
    const uid = await ctx.objects.createSymmetric(ctx.domain, readAttributes(child(payload, TAG.TemplateAttribute), payload));
    return { payload: [enumeration(TAG.ObjectType, OBJECT_TYPE.SymmetricKey), text(TAG.UniqueIdentifier, uid)], uid };
  },

  async CreateKeyPair(ctx, payload) {
    await ctx.authorize();
    const common = readAttributes(child(payload, TAG.CommonTemplateAttribute));
    const privateTemplate = readAttributes(child(payload, TAG.PrivateKeyTemplateAttribute));
    const publicTemplate = readAttributes(child(payload, TAG.PublicKeyTemplateAttribute));
    const usageMask = (common.usageMask ?? 0) | (privateTemplate.usageMask ?? 0) | (publicTemplate.usageMask ?? 0);
    const input = { ...common, ...privateTemplate, usageMask, algorithm: privateTemplate.algorithm ?? common.algorithm ?? publicTemplate.algorithm ?? ALGORITHM.RSA };
    const { privateUid, publicUid } = await ctx.objects.createKeyPair(ctx.domain, input);
    return { payload: [text(TAG.PrivateKeyUniqueIdentifier, privateUid), text(TAG.PublicKeyUniqueIdentifier, publicUid)], uid: privateUid };
  },

  async ReKey(ctx, payload) {
    const object = await found(ctx, payload);
    const uid = await ctx.objects.rekey(ctx.domain, object);
    return { payload: [text(TAG.UniqueIdentifier, uid)], uid };
  },

  async Register(ctx, payload) {
    await ctx.authorize();
    const type = numberOf(child(payload, TAG.ObjectType));
    const attributes = readAttributes(child(payload, TAG.TemplateAttribute), payload);
    let uid: string;
    if (type === OBJECT_TYPE.SymmetricKey) uid = await ctx.objects.registerSymmetric(ctx.domain, keyMaterial(child(payload, TAG.SymmetricKey)), attributes);
    else if (type === OBJECT_TYPE.SecretData) {
      const secret = child(payload, TAG.SecretData);
      uid = await ctx.objects.registerData(ctx.domain, 'SecretData', numberOf(child(secret, TAG.SecretDataType)) ?? 1, keyMaterial(secret), attributes);
    } else if (type === OBJECT_TYPE.OpaqueObject) {
      const opaque = child(payload, TAG.OpaqueObject);
      const value = bytesOf(child(opaque, TAG.OpaqueDataValue));
      if (!value) throw new KmipFailure('MissingData', 'Opaque Data Value: required');
      uid = await ctx.objects.registerData(ctx.domain, 'OpaqueObject', numberOf(child(opaque, TAG.OpaqueDataType)) ?? 0x80000000, value, attributes);
    } else throw new KmipFailure('InvalidField', 'Object Type: okmsd registers symmetric keys, secret data and opaque objects');
    return { payload: [text(TAG.UniqueIdentifier, uid)], uid };
  },

  async Get(ctx, payload) {
    const object = await found(ctx, payload);
    const { bytes: material, dataType } = await ctx.objects.material(ctx.domain, object);
    const o = object.object;
    const body =
      o.objectType === 'SymmetricKey' ? struct(TAG.SymmetricKey, keyBlock(KEY_FORMAT.Raw, material, o))
      : o.objectType === 'PrivateKey' ? struct(TAG.PrivateKey, keyBlock(KEY_FORMAT.PKCS8, material, o))
      : o.objectType === 'PublicKey' ? struct(TAG.PublicKey, keyBlock(KEY_FORMAT.X509, material, o))
      : o.objectType === 'SecretData' ? struct(TAG.SecretData, enumeration(TAG.SecretDataType, dataType ?? 1), struct(TAG.KeyBlock, enumeration(TAG.KeyFormatType, KEY_FORMAT.Opaque), struct(TAG.KeyValue, bytes(TAG.KeyMaterial, material))))
      : struct(TAG.OpaqueObject, enumeration(TAG.OpaqueDataType, dataType ?? 0x80000000), bytes(TAG.OpaqueDataValue, material));
    return { payload: [enumeration(TAG.ObjectType, OBJECT_TYPE[o.objectType]), text(TAG.UniqueIdentifier, o.uid), body], uid: o.uid };
  },

  async GetAttributes(ctx, payload) {
    const { object } = await found(ctx, payload);
    const attributes = attributesOf(object);
    const names = all(payload, TAG.AttributeName).map(textOf).filter((n): n is string => n !== undefined);
    const chosen = names.length === 0 ? [...attributes.values()] : names.flatMap((name) => (attributes.has(name) ? [attributes.get(name)!] : []));
    return { payload: [text(TAG.UniqueIdentifier, object.uid), ...chosen], uid: object.uid };
  },

  async GetAttributeList(ctx, payload) {
    const { object } = await found(ctx, payload);
    return { payload: [text(TAG.UniqueIdentifier, object.uid), ...[...attributesOf(object).keys()].map((name) => text(TAG.AttributeName, name))], uid: object.uid };
  },

  async Locate(ctx, payload) {
    await ctx.authorize();
    const max = Math.min(numberOf(child(payload, TAG.MaximumItems)) ?? 1000, 1000);
    const wanted = all(payload, TAG.Attribute).map((a) => ({ name: textOf(child(a, TAG.AttributeName)), value: child(a, TAG.AttributeValue) }));
    const matches = (object: KmipObject) => wanted.every(({ name, value }) => {
      if (name === 'Object Type') return OBJECT_TYPE[object.objectType] === numberOf(value);
      if (name === 'Name') return object.name === textOf(child(value, TAG.NameValue));
      if (name === 'State') return object.state === numberOf(value);
      if (name === 'Cryptographic Algorithm') return object.algorithm === numberOf(value);
      if (name === 'Cryptographic Length') return object.length === numberOf(value);
      if (name === 'Unique Identifier') return object.uid === textOf(value);
      throw new KmipFailure('InvalidField', `Attribute: okmsd locates by Object Type, Name, State, Cryptographic Algorithm and Length, not ${String(name).slice(0, 64)}`);
    });
    return { payload: (await ctx.objects.locate(ctx.domain, matches, max)).map((uid) => text(TAG.UniqueIdentifier, uid)) };
  },

  async Activate(ctx, payload) {
    const object = await found(ctx, payload);
    await ctx.objects.activate(ctx.domain, object);
    return { payload: [text(TAG.UniqueIdentifier, object.object.uid)], uid: object.object.uid };
  },

  async Revoke(ctx, payload) {
    const object = await found(ctx, payload);
    const code = numberOf(child(child(payload, TAG.RevocationReason), TAG.RevocationReasonCode)) ?? REVOCATION_REASON.Unspecified;
    await ctx.objects.revoke(ctx.domain, object, code);
    return { payload: [text(TAG.UniqueIdentifier, object.object.uid)], uid: object.object.uid };
  },

  async Destroy(ctx, payload) {
    const object = await found(ctx, payload);
    await ctx.objects.destroy(ctx.domain, object);
    return { payload: [text(TAG.UniqueIdentifier, object.object.uid)], uid: object.object.uid };
  },

  async AddAttribute(ctx, payload) {
    return nameChange(ctx, payload, 'add');
  },

  async ModifyAttribute(ctx, payload) {
    return nameChange(ctx, payload, 'modify');
  },
};

/** Add / Modify Attribute: the Name (the only attribute a caller writes; the others are the object's own). */
async function nameChange(ctx: OperationContext, payload: TtlvItem | undefined, kind: 'add' | 'modify'): Promise<OperationResult> {
  const object = await found(ctx, payload);
  const attribute = child(payload, TAG.Attribute);
  if (textOf(child(attribute, TAG.AttributeName)) !== 'Name') throw new KmipFailure('InvalidField', 'Attribute: only the Name can be written');
  const name = textOf(child(child(attribute, TAG.AttributeValue), TAG.NameValue));
  if (!name) throw new KmipFailure('MissingData', 'Name: a Name Value is required');
  if (kind === 'add' && object.object.name && object.object.name !== 'kmip') throw new KmipFailure('IllegalOperation', 'Name: the object has a name; modify it');
  await ctx.objects.rename(ctx.domain, object, name);
  return { payload: [text(TAG.UniqueIdentifier, object.object.uid), attribute!], uid: object.object.uid };
}

/** Operations that change what is stored: their audit record is synced before the response. */
export const CHANGES_STATE: ReadonlySet<OperationName> = new Set(['Create', 'CreateKeyPair', 'ReKey', 'Register', 'Activate', 'Revoke', 'Destroy', 'AddAttribute', 'ModifyAttribute']);
