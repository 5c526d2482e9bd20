import { bytesOf, child, enumeration, integer, struct, text, textOf } from '../../src/kmip/kmip-items';
import { ALGORITHM, OBJECT_TYPE, OPERATION, RESULT_REASON, TAG, USAGE } from '../../src/kmip/kmip-tags';
import { encode } from '../../src/kmip/ttlv';
import { createDomain, createUsers, rootUrn, startTestOkmsd, type TestOkmsd } from '../helpers/harness';
import { attribute, KmipTestClient, resultOf, uidIn } from '../../bench/lib/kmip-client';
import { mtlsCall } from '../helpers/mtls-client';

let t: TestOkmsd;
let okmsId: string;
let root: { cert: string; key: string; id: string };
const tls = (c: { cert: string; key: string }) => ({ ...c, ca: t.okmsd.gatewayCaPEM });
const issue = async (name: string, identity: string) => {
  const json = (await t.api('POST', `/okms/resource/${okmsId}/credential`, { body: { name, identityURNs: [identity] } })).json;
  return { cert: json.certificatePEM as string, key: json.privateKeyPEM as string, id: json.id as string };
};
const aes256 = () => [enumeration(TAG.ObjectType, OBJECT_TYPE.SymmetricKey), struct(TAG.TemplateAttribute,
  attribute('Cryptographic Algorithm', enumeration(0, ALGORITHM.AES)), attribute('Cryptographic Length', integer(0, 256)), attribute('Cryptographic Usage Mask', integer(0, USAGE.Encrypt | USAGE.Decrypt)))];

beforeAll(async () => {
  t = await startTestOkmsd();
  okmsId = (await createDomain(t, 'kmip')).id;
  root = await issue('kmip-root', rootUrn());
});
afterAll(() => t.dispose());

describe('the KMIP server', () => {
  it('runs a batch — Create, Activate and Get through the ID placeholder — over one kept connection', async () => {
    const client = await KmipTestClient.open(t.okmsd.kmipPort!, tls(root));
    const [created, activated, got] = await client.request([OPERATION.Create, aes256()], [OPERATION.Activate, []], [OPERATION.Get, []]);
    expect([created, activated, got].map((item) => resultOf(item!).status)).toEqual([0, 0, 0]);
    const uid = textOf(uidIn(created!))!;
    expect(textOf(uidIn(activated!))).toBe(uid);
    const material = bytesOf(child(child(child(child(child(got!, TAG.ResponsePayload), TAG.SymmetricKey), TAG.KeyBlock), TAG.KeyValue), TAG.KeyMaterial));
    expect(material).toHaveLength(32);
    // Re-key: a new key of the same length, active as the old one is.
    const [rekeyed, rekeyedState] = await client.request([OPERATION.ReKey, [text(TAG.UniqueIdentifier, uid)]], [OPERATION.GetAttributes, [text(TAG.AttributeName, 'State'), text(TAG.AttributeName, 'Cryptographic Length')]]);
    expect(resultOf(rekeyed!).status).toBe(0);
    expect(textOf(uidIn(rekeyed!))).not.toBe(uid);
    expect(JSON.stringify(rekeyedState, (_k, v) => (typeof v === 'bigint' ? String(v) : v))).toContain('"value":256');
    // The same connection goes on: an operation okmsd does not serve is answered, not dropped.
    const [lease] = await client.request([OPERATION.ObtainLease, [text(TAG.UniqueIdentifier, uid)]]);
    expect(resultOf(lease!)).toEqual({ status: 1, reason: RESULT_REASON.OperationNotSupported });
    const [invalid] = await client.request([OPERATION.Create, [enumeration(TAG.ObjectType, OBJECT_TYPE.SymmetricKey), struct(TAG.TemplateAttribute, attribute('Cryptographic Algorithm', enumeration(0, ALGORITHM.RSA)))]]);
    expect(resultOf(invalid!)).toEqual({ status: 1, reason: RESULT_REASON.InvalidField });
    const [missing] = await client.request([OPERATION.Get, [text(TAG.UniqueIdentifier, 'no-such-object')]]);
    expect(resultOf(missing!)).toEqual({ status: 1, reason: RESULT_REASON.ItemNotFound });
    const [active] = await client.request([OPERATION.Destroy, [text(TAG.UniqueIdentifier, uid)]]);
    expect(resultOf(active!)).toEqual({ status: 1, reason: RESULT_REASON.PermissionDenied }); // revoke it first
    client.close();
  });

  it('answers a malformed message Invalid Message and closes; an oversized one is closed at its header', async () => {
    const client = await KmipTestClient.open(t.okmsd.kmipPort!, tls(root));
    const garbage = Buffer.concat([Buffer.from([0x42, 0x00, 0x78, 0x01, 0, 0, 0, 16]), Buffer.alloc(16, 0xee)]);
    const answer = await client.sendRaw(garbage);
    expect(answer && resultOf(child(answer, TAG.BatchItem)!)).toEqual({ status: 1, reason: RESULT_REASON.InvalidMessage });
    const huge = await KmipTestClient.open(t.okmsd.kmipPort!, tls(root));
    const refused = await huge.sendRaw(Buffer.from([0x42, 0x00, 0x78, 0x01, 0x7f, 0xff, 0xff, 0xff]));
    expect(refused && resultOf(child(refused, TAG.BatchItem)!).reason).toBe(RESULT_REASON.InvalidMessage);
    expect(huge.closed || (await huge.sendRaw(Buffer.alloc(8))) === undefined).toBe(true);
  });

  it('fuzz: 150 mutated, truncated or random messages each get an answer or a closed connection, and the server goes on', async () => {
    const valid = encode(struct(TAG.RequestMessage, struct(TAG.RequestHeader, struct(TAG.ProtocolVersion, integer(TAG.ProtocolVersionMajor, 1), integer(TAG.ProtocolVersionMinor, 4)), integer(TAG.BatchCount, 2)),
      struct(TAG.BatchItem, enumeration(TAG.Operation, OPERATION.Create), struct(TAG.RequestPayload, ...aes256())), struct(TAG.BatchItem, enumeration(TAG.Operation, OPERATION.Get), struct(TAG.RequestPayload))));
    const outcomes = { answered: 0, closed: 0 };
    for (let i = 0; i < 150; i += 1) {
      let bytes: Buffer;
      if (i % 3 === 0) bytes = valid.subarray(0, 1 + ((i * 37) % (valid.length - 1)));
      else if (i % 3 === 1) {
        bytes = Buffer.from(valid);
        for (let flip = 0; flip < 1 + (i % 5); flip += 1) bytes[(i * 131 + flip * 17) % bytes.length]! ^= 1 << ((i + flip) % 8);
      } else bytes = Buffer.concat([Buffer.from([0x42, 0x00, 0x78, 0x01, 0x00, 0x00, 0x00, 0x40]), Buffer.from(Array.from({ length: 64 }, (_, j) => (i * 7 + j * 13) & 0xff))]);
      const client = await KmipTestClient.open(t.okmsd.kmipPort!, tls(root));
      outcomes[(await client.sendAndEnd(bytes)) ? 'answered' : 'closed'] += 1;
      client.close();
    }
    expect(outcomes.answered + outcomes.closed).toBe(150);
    process.stdout.write(`KMIP network fuzz: ${JSON.stringify(outcomes)}\n`);
    const after = await KmipTestClient.open(t.okmsd.kmipPort!, tls(root));
    expect(resultOf((await after.request([OPERATION.DiscoverVersions, []]))[0]!).status).toBe(0);
    after.close();
  });

  it('refuses a connection without an access certificate, and a revoked credential on its next message', async () => {
    const anonymous = await KmipTestClient.open(t.okmsd.kmipPort!, { ca: t.okmsd.gatewayCaPEM });
    const refused = await anonymous.sendRaw(encode(struct(TAG.RequestMessage, struct(TAG.RequestHeader, struct(TAG.ProtocolVersion, integer(TAG.ProtocolVersionMajor, 1), integer(TAG.ProtocolVersionMinor, 2)), integer(TAG.BatchCount, 1)), struct(TAG.BatchItem, enumeration(TAG.Operation, OPERATION.Query), struct(TAG.RequestPayload)))));
    expect(refused && resultOf(child(refused, TAG.BatchItem)!).reason).toBe(RESULT_REASON.AuthenticationNotSuccessful);

    const doomed = await issue('kmip-doomed', rootUrn());
    const client = await KmipTestClient.open(t.okmsd.kmipPort!, tls(doomed));
    expect(resultOf((await client.request([OPERATION.DiscoverVersions, []]))[0]!).status).toBe(0);
    expect((await t.api('DELETE', `/okms/resource/${okmsId}/credential/${doomed.id}`)).status).toBe(204);
    const after = await client.sendRaw(encode(struct(TAG.RequestMessage, struct(TAG.RequestHeader, struct(TAG.ProtocolVersion, integer(TAG.ProtocolVersionMajor, 1), integer(TAG.ProtocolVersionMinor, 2)), integer(TAG.BatchCount, 1)), struct(TAG.BatchItem, enumeration(TAG.Operation, OPERATION.Query), struct(TAG.RequestPayload)))));
    expect(after && resultOf(child(after, TAG.BatchItem)!).reason).toBe(RESULT_REASON.AuthenticationNotSuccessful);
  });

  it('decides each item in IAM (okms:kmip:* on …/kmip/{objectId}) and audits it', async () => {
    await createUsers(t, 'storage-admin');
    const user = await issue('kmip-user', rootUrn('storage-admin'));
    const client = await KmipTestClient.open(t.okmsd.kmipPort!, tls(user));
    expect(resultOf((await client.request([OPERATION.Create, aes256()]))[0]!)).toEqual({ status: 1, reason: RESULT_REASON.PermissionDenied });
    await t.api('POST', '/iam/policy', { body: { name: 'kmip-create', identities: [rootUrn('storage-admin')], resources: [{ urn: `urn:v1:eu:resource:okms:${okmsId}` }], permissions: { allow: [{ action: 'okms:kmip:create' }] } } });
    const [created] = await client.request([OPERATION.Create, aes256()]);
    expect(resultOf(created!).status).toBe(0);
    const [get] = await client.request([OPERATION.Get, [uidIn(created!)!]]);
    expect(resultOf(get!).reason).toBe(RESULT_REASON.PermissionDenied); // get is another action
    const audit = JSON.stringify((await t.api('GET', '/audit?limit=1000')).json);
    expect(audit).toContain(`"resource":"urn:v1:eu:resource:okms:${okmsId}/kmip/${textOf(uidIn(created!))}"`);
    expect(audit).toMatch(/"plane":"kmip"[^}]*"action":"okms:kmip:get"[^}]*"decision":"deny"/);
  });

  it('shares the key store with REST: a REST key is not extractable over KMIP unless made so', async () => {
    const rest = (await mtlsCall(t, `/api/${okmsId}/v1/servicekey`, { method: 'POST', cert: root.cert, key: root.key, body: { name: 'rest-made' } })).json;
    const client = await KmipTestClient.open(t.okmsd.kmipPort!, tls(root));
    const [denied] = await client.request([OPERATION.Get, [text(TAG.UniqueIdentifier, rest.id)]]);
    expect(resultOf(denied!)).toEqual({ status: 1, reason: RESULT_REASON.NotExtractable });
    await mtlsCall(t, `/api/${okmsId}/v1/servicekey/${rest.id}`, { method: 'PATCH', cert: root.cert, key: root.key, body: { extractable: true } });
    expect(resultOf((await client.request([OPERATION.Get, [text(TAG.UniqueIdentifier, rest.id)]]))[0]!).status).toBe(0);
    const [located] = await client.request([OPERATION.Locate, [attribute('Name', struct(0, text(TAG.NameValue, 'rest-made'), enumeration(TAG.NameType, 1)))]]);
    expect(textOf(uidIn(located!))).toBe(rest.id);
  });

  it('is advertised in the domain while it listens', async () => {
    expect((await t.api('GET', `/okms/resource/${okmsId}`)).json.kmipEndpoint).toBe(`127.0.0.1:${t.okmsd.kmipPort}`);
  });
});
