import type { TtlvItem } from './ttlv';

/** Building and reading TTLV items by tag: the vocabulary every KMIP operation is written in. */
export const struct = (tag: number, ...value: ReadonlyArray<TtlvItem | undefined | false>): TtlvItem => ({ tag, type: 'structure', value: value.filter((v): v is TtlvItem => Boolean(v)) });
export const enumeration = (tag: number, value: number): TtlvItem => ({ tag, type: 'enumeration', value });
export const integer = (tag: number, value: number): TtlvItem => ({ tag, type: 'integer', value });
export const text = (tag: number, value: string): TtlvItem => ({ tag, type: 'textString', value });
export const bytes = (tag: number, value: Buffer): TtlvItem => ({ tag, type: 'byteString', value });
export const boolean = (tag: number, value: boolean): TtlvItem => ({ tag, type: 'boolean', value });
export const dateTime = (tag: number, value: Date | string): TtlvItem => ({ tag, type: 'dateTime', value: BigInt(Math.floor(new Date(value).getTime() / 1000)) });

export const children = (item: TtlvItem | undefined): readonly TtlvItem[] => (item?.type === 'structure' ? item.value : []);
export const child = (item: TtlvItem | undefined, tag: number): TtlvItem | undefined => children(item).find((c) => c.tag === tag);
export const all = (item: TtlvItem | undefined, tag: number): TtlvItem[] => children(item).filter((c) => c.tag === tag);

export const numberOf = (item: TtlvItem | undefined): number | undefined =>
  item && (item.type === 'integer' || item.type === 'enumeration' || item.type === 'interval') ? item.value : undefined;
export const textOf = (item: TtlvItem | undefined): string | undefined => (item?.type === 'textString' ? item.value : undefined);
export const bytesOf = (item: TtlvItem | undefined): Buffer | undefined => (item?.type === 'byteString' ? item.value : undefined);
export const dateOf = (item: TtlvItem | undefined): Date | undefined => (item?.type === 'dateTime' ? new Date(Number(item.value) * 1000) : undefined);
