import { connect, type TLSSocket } from 'node:tls';
import { child, all, enumeration, integer, numberOf, struct, text } from '../../src/kmip/kmip-items';
import { TAG } from '../../src/kmip/kmip-tags';
import { decode, encode, type TtlvItem } from '../../src/kmip/ttlv';

/** A small KMIP client (tests and bench/kmip): one TLS connection, one request at a time, framed by the TTLV length. */
export class KmipTestClient {
  private buffered = Buffer.alloc(0);
  private waiting: ((message: Buffer | undefined) => void) | undefined;
  closed = false;

  private constructor(private readonly socket: TLSSocket) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      this.buffered = Buffer.concat([this.buffered, chunk]);
      this.deliver();
    });
    socket.on('close', () => {
      this.closed = true;
      this.waiting?.(undefined);
    });
    socket.on('error', () => undefined);
  }

  static open(port: number, tls: { cert?: string; key?: string; ca: string }): Promise<KmipTestClient> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port, ca: tls.ca, ...(tls.cert ? { cert: tls.cert, key: tls.key } : {}), servername: 'localhost' }, () => resolve(new KmipTestClient(socket)));
      socket.once('error', reject);
    });
  }

  private deliver(): void {
    if (!this.waiting || this.buffered.length < 8) return;
    const length = 8 + this.buffered.readUInt32BE(4);
    if (this.buffered.length < length) return;
    const message = this.buffered.subarray(0, length);
    this.buffered = this.buffered.subarray(length);
    const waiting = this.waiting;
    this.waiting = undefined;
    waiting(Buffer.from(message));
  }

  /** Sends raw bytes; resolves with the decoded response, or undefined when the server closed the connection instead. */
  sendRaw(bytes: Buffer): Promise<TtlvItem | undefined> {
    return new Promise((resolve) => {
      this.waiting = (message) => resolve(message && decode(message));
      this.socket.write(bytes);
      this.deliver();
      if (this.closed) resolve(undefined);
    });
  }

  /** One request message of `items` ([operation, payload children]) at protocol 1.4; the response's batch items. */
  async request(...items: Array<[number, TtlvItem[]]>): Promise<TtlvItem[]> {
    const message = struct(
      TAG.RequestMessage,
      struct(TAG.RequestHeader, struct(TAG.ProtocolVersion, integer(TAG.ProtocolVersionMajor, 1), integer(TAG.ProtocolVersionMinor, 4)), integer(TAG.BatchCount, items.length)),
      ...items.map(([operation, payload]) => struct(TAG.BatchItem, enumeration(TAG.Operation, operation), struct(TAG.RequestPayload, ...payload))),
    );
    const response = await this.sendRaw(encode(message));
    if (!response) throw new Error('the server closed the connection');
    return all(response, TAG.BatchItem);
  }

  /** Sends raw bytes and ends the client's half: the answer, or undefined when the server closed without one. */
  sendAndEnd(bytes: Buffer): Promise<TtlvItem | undefined> {
    const answer = this.sendRaw(bytes).catch(() => undefined);
    this.socket.end();
    return answer;
  }

  close(): void {
    this.socket.destroy();
  }
}

export const resultOf = (item: TtlvItem) => ({ status: numberOf(child(item, TAG.ResultStatus)), reason: numberOf(child(item, TAG.ResultReason)) });
export const uidIn = (item: TtlvItem) => child(child(item, TAG.ResponsePayload), TAG.UniqueIdentifier);
export const attribute = (name: string, value: TtlvItem) => struct(TAG.Attribute, text(TAG.AttributeName, name), { ...value, tag: TAG.AttributeValue } as TtlvItem);
