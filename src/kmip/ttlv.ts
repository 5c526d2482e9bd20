/**
 * KMIP's TTLV encoding (KMIP 1.x §9.1): Tag (3 bytes), Type (1), Length (4), Value padded to a multiple of 8.
 * Decoding is for untrusted input: every length is checked against what is left, the nesting depth and the item
 * count are bounded, and anything malformed is one TtlvError (the caller answers it or closes the connection).
 */
export const TYPE = {
  structure: 0x01, integer: 0x02, longInteger: 0x03, bigInteger: 0x04, enumeration: 0x05, boolean: 0x06,
  textString: 0x07, byteString: 0x08, dateTime: 0x09, interval: 0x0a,
} as const;
export type TtlvType = keyof typeof TYPE;

export type TtlvItem =
  | { readonly tag: number; readonly type: 'structure'; readonly value: readonly TtlvItem[] }
  | { readonly tag: number; readonly type: 'integer' | 'enumeration' | 'interval'; readonly value: number }
  | { readonly tag: number; readonly type: 'longInteger' | 'dateTime'; readonly value: bigint }
  | { readonly tag: number; readonly type: 'boolean'; readonly value: boolean }
  | { readonly tag: number; readonly type: 'textString'; readonly value: string }
  | { readonly tag: number; readonly type: 'byteString' | 'bigInteger'; readonly value: Buffer };

export class TtlvError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TtlvError';
  }
}

/** What one message may hold: its size is checked before it is read, depth and items while it is decoded. */
export const LIMITS = { maxMessageBytes: 1024 * 1024, maxDepth: 16, maxItems: 20_000 } as const;

const NAME_OF_TYPE = new Map<number, TtlvType>(Object.entries(TYPE).map(([name, code]) => [code, name as TtlvType]));
const pad8 = (n: number) => (n + 7) & ~7;

export function encode(item: TtlvItem): Buffer {
  const chunks: Buffer[] = [];
  write(item, chunks);
  return Buffer.concat(chunks);
}

function header(tag: number, type: number, length: number): Buffer {
  const h = Buffer.alloc(8);
  h.writeUIntBE(tag, 0, 3);
  h[3] = type;
  h.writeUInt32BE(length, 4);
  return h;
}

function write(item: TtlvItem, chunks: Buffer[]): void {
  switch (item.type) {
    case 'structure': {
      const inner: Buffer[] = [];
      for (const child of item.value) write(child, inner);
      const body = Buffer.concat(inner);
      chunks.push(header(item.tag, TYPE.structure, body.length), body);
      return;
    }
    case 'integer': case 'enumeration': case 'interval': {
      const value = Buffer.alloc(8);
      if (item.type === 'integer') value.writeInt32BE(item.value, 0);
      else value.writeUInt32BE(item.value >>> 0, 0);
      chunks.push(header(item.tag, TYPE[item.type], 4), value);
      return;
    }
    case 'longInteger': case 'dateTime': {
      const value = Buffer.alloc(8);
      value.writeBigInt64BE(item.value, 0);
      chunks.push(header(item.tag, TYPE[item.type], 8), value);
      return;
    }
    case 'boolean': {
      const value = Buffer.alloc(8);
      value[7] = item.value ? 1 : 0;
      chunks.push(header(item.tag, TYPE.boolean, 8), value);
      return;
    }
    case 'textString': case 'byteString': case 'bigInteger': {
      const bytes = item.type === 'textString' ? Buffer.from(item.value, 'utf8') : item.value;
      chunks.push(header(item.tag, TYPE[item.type], bytes.length), bytes, Buffer.alloc(pad8(bytes.length) - bytes.length));
      return;
    }
  }
}

/** The length of the whole message that `head` (at least 8 bytes) starts, or a TtlvError when it is too large or no structure. */
export function messageLength(head: Buffer): number {
  if (head.length < 8) throw new TtlvError('a TTLV header is 8 bytes');
  if (head[3] !== TYPE.structure) throw new TtlvError('a KMIP message is a structure');
  const length = 8 + head.readUInt32BE(4);
  if (length > LIMITS.maxMessageBytes) throw new TtlvError(`a message of ${length} bytes is over the ${LIMITS.maxMessageBytes}-byte limit`);
  return length;
}

/** Decodes exactly one item filling `data`. */
export function decode(data: Buffer): TtlvItem {
  const state = { items: 0 };
  const { item, next } = read(data, 0, data.length, 0, state);
  if (next !== data.length) throw new TtlvError('bytes after the message');
  return item;
}

function read(data: Buffer, offset: number, end: number, depth: number, state: { items: number }): { item: TtlvItem; next: number } {
  if (depth > LIMITS.maxDepth) throw new TtlvError(`nested deeper than ${LIMITS.maxDepth}`);
  if ((state.items += 1) > LIMITS.maxItems) throw new TtlvError(`more than ${LIMITS.maxItems} items`);
  if (end - offset < 8) throw new TtlvError('truncated header');
  const tag = data.readUIntBE(offset, 3);
  if (tag >> 16 !== 0x42 && tag >> 16 !== 0x54) throw new TtlvError(`tag 0x${tag.toString(16)} is not a KMIP tag`);
  const type = NAME_OF_TYPE.get(data[offset + 3]!);
  if (!type) throw new TtlvError(`unknown type 0x${data[offset + 3]!.toString(16)}`);
  const length = data.readUInt32BE(offset + 4);
  const start = offset + 8;
  const padded = type === 'structure' ? length : pad8(length);
  if (padded > end - start) throw new TtlvError('value runs past its enclosing item');
  const next = start + padded;
  const fixed = (expected: number) => {
    if (length !== expected) throw new TtlvError(`${type} of length ${length}`);
  };
  switch (type) {
    case 'structure': {
      const children: TtlvItem[] = [];
      let at = start;
      while (at < next) {
        const child = read(data, at, next, depth + 1, state);
        children.push(child.item);
        at = child.next;
      }
      return { item: { tag, type, value: children }, next };
    }
    case 'integer': fixed(4); return { item: { tag, type, value: data.readInt32BE(start) }, next };
    case 'enumeration': case 'interval': fixed(4); return { item: { tag, type, value: data.readUInt32BE(start) }, next };
    case 'longInteger': case 'dateTime': fixed(8); return { item: { tag, type, value: data.readBigInt64BE(start) }, next };
    case 'boolean': {
      fixed(8);
      const value = data.readBigUInt64BE(start);
      if (value > 1n) throw new TtlvError('a boolean is 0 or 1');
      return { item: { tag, type, value: value === 1n }, next };
    }
    case 'textString': {
      const bytes = data.subarray(start, start + length);
      const value = new TextDecoder('utf-8', { fatal: true });
      try {
        return { item: { tag, type, value: value.decode(bytes) }, next };
      } catch {
        throw new TtlvError('a text string that is not UTF-8');
      }
    }
    case 'byteString': case 'bigInteger':
      if (type === 'bigInteger' && length % 8 !== 0) throw new TtlvError('a big integer is a multiple of 8 bytes');
      return { item: { tag, type, value: Buffer.from(data.subarray(start, start + length)) }, next };
  }
}
