import { createServer, type Server, type TLSSocket } from 'node:tls';
import type { Logger } from 'pino';
import { readAccessCertificate } from '../../ca/read-access-certificate';
import type { IamService } from '../../iam/iam-service';
import { enumeration, integer, struct, text } from '../../kmip/kmip-items';
import type { KmipService } from '../../kmip/kmip-service';
import { RESULT_REASON, RESULT_STATUS, TAG } from '../../kmip/kmip-tags';
import { decode, encode, messageLength, TtlvError } from '../../kmip/ttlv';
import type { ClientAuthenticator } from '../gateway/authenticate-client';
import { GATEWAY_TLS12_CIPHERS } from '../listeners';

/** A connection idle this long is closed; a message must arrive whole within the second bound once it has begun. */
export const KMIP_IDLE_MS = 120_000;
export const KMIP_MESSAGE_MS = 10_000;
const MAX_CONNECTIONS = 1000;

/** A response with one failed batch item: what a connection gets before it is closed (authentication, a malformed message). */
function refusal(reason: keyof typeof RESULT_REASON, message: string): Buffer {
  return encode(struct(
    TAG.ResponseMessage,
    struct(TAG.ResponseHeader, struct(TAG.ProtocolVersion, integer(TAG.ProtocolVersionMajor, 1), integer(TAG.ProtocolVersionMinor, 4)), integer(TAG.BatchCount, 1)),
    struct(TAG.BatchItem, enumeration(TAG.ResultStatus, RESULT_STATUS.OperationFailed), enumeration(TAG.ResultReason, RESULT_REASON[reason]), text(TAG.ResultMessage, message.slice(0, 512))),
  ));
}

const peerPem = (socket: TLSSocket): string | undefined => {
  const raw = socket.getPeerCertificate()?.raw;
  return raw && raw.length > 0 ? `-----BEGIN CERTIFICATE-----\n${raw.toString('base64').replace(/.{64}/g, '$&\n')}\n-----END CERTIFICATE-----\n` : undefined;
};

/**
 * KMIP over TLS (port OKMSD_KMIP_PORT): the access certificate judged exactly as the REST gateway judges it — chain
 * to the CA of the domain its UPN names, validity, revocation, the credential record — on every message, then each
 * batch item through IAM (kmip-service.ts). Messages are framed by their TTLV length (at most 1 MiB), answered in
 * order; a malformed one is answered Invalid Message and the connection closed; slow or idle ones are closed.
 */
export interface KmipListener {
  readonly server: Server;
  /** Stops accepting and ends every open connection (KMIP clients keep theirs open). */
  close(): Promise<void>;
}

export function createKmipServer(deps: { tls: { readonly privateKeyPEM: string; readonly certificatePEM: string }; authenticator: ClientAuthenticator; iam: IamService; kmip: KmipService; logger: Logger }): KmipListener {
  const open = new Set<TLSSocket>();
  const server = createServer({
    key: deps.tls.privateKeyPEM, cert: deps.tls.certificatePEM, requestCert: true, rejectUnauthorized: false, minVersion: 'TLSv1.2',
    ciphers: GATEWAY_TLS12_CIPHERS, honorCipherOrder: true, handshakeTimeout: 10_000,
  });
  server.maxConnections = MAX_CONNECTIONS;
  server.on('secureConnection', (socket) => {
    open.add(socket);
    socket.setNoDelay(true); // one response per request: nothing to gain from Nagle, a delayed ACK to lose
    socket.once('close', () => open.delete(socket));
    let buffered: Buffer = Buffer.alloc(0);
    let expected: number | undefined;
    let busy = Promise.resolve();
    let messageTimer: NodeJS.Timeout | undefined;
    // The domain the connection's certificate names, read once (parsing it costs ~9 ms; the chain, validity,
    // revocation and credential record are still judged on every message).
    let okmsId: string | undefined;
    socket.setTimeout(KMIP_IDLE_MS, () => socket.destroy());
    const close = (reply?: Buffer) => {
      clearTimeout(messageTimer);
      if (reply && socket.writable) socket.end(reply);
      else socket.destroy();
    };
    const handle = async (message: Buffer) => {
      let request;
      try {
        request = decode(message);
      } catch (error) {
        close(refusal('InvalidMessage', error instanceof TtlvError ? error.message : 'not a TTLV message'));
        return;
      }
      let caller;
      try {
        if (okmsId === undefined) {
          const pem = peerPem(socket);
          if (!pem) return close(refusal('AuthenticationNotSuccessful', 'a client certificate (an okmsd access certificate) is required'));
          okmsId = readAccessCertificate(pem).okmsId;
        }
        if (!okmsId) throw new Error('the certificate names no okmsd domain');
        const { domain, credential } = await deps.authenticator.authenticate(socket, okmsId);
        const identities = (await deps.iam.resolveIdentities(domain.accountId, credential.identityURNs, credential.identityBindings)).effective;
        caller = { domain, credentialId: credential.id, identities, ...(socket.remoteAddress ? { sourceIp: socket.remoteAddress } : {}) };
      } catch (error) {
        return close(refusal('AuthenticationNotSuccessful', error instanceof Error ? error.message : 'the client certificate is not accepted'));
      }
      try {
        const response = await deps.kmip.handle(request, caller);
        if (socket.writable) socket.write(encode(response));
      } catch (error) {
        deps.logger.error({ err: String(error) }, 'KMIP request failed');
        close(refusal('GeneralFailure', 'the request could not be answered'));
      }
    };
    socket.on('data', (chunk: Buffer) => {
      buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
      while (socket.writable) {
        if (expected === undefined) {
          if (buffered.length < 8) break;
          try {
            expected = messageLength(buffered.subarray(0, 8));
          } catch (error) {
            return close(refusal('InvalidMessage', error instanceof TtlvError ? error.message : 'not a TTLV message'));
          }
          messageTimer = setTimeout(() => socket.destroy(), KMIP_MESSAGE_MS);
          messageTimer.unref();
        }
        if (buffered.length < expected) break;
        const message = buffered.subarray(0, expected);
        buffered = buffered.subarray(expected);
        expected = undefined;
        clearTimeout(messageTimer);
        busy = busy.then(() => handle(Buffer.from(message)));
      }
    });
    socket.on('error', () => socket.destroy());
  });
  server.on('tlsClientError', () => undefined);
  return {
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of open) socket.destroy();
      }),
  };
}
