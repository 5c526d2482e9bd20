import type { DomainService } from '../ca/domain-service';
import type { ServerCaService } from '../ca/server-ca';
import { identityUrn } from '../domain/urn';
import type { IamService } from '../iam/iam-service';
import type { KeyHierarchy } from '../kms/key-hierarchy';
import { AclService } from '../secrets/acl-service';
import type { BarbicanCaller } from '../secrets/barbican-model';
import { CaDirectory } from '../secrets/ca-directory';
import type { KeySpec } from '../secrets/certificate-order';
import { ContainerService } from '../secrets/container-service';
import { KeystoneTokens } from '../secrets/keystone-tokens';
import { ObjectAccess } from '../secrets/object-access';
import { OrderService } from '../secrets/order-service';
import { SecretService } from '../secrets/secret-service';
import type { Store } from '../storage/store';
import { OkmsError } from '../domain/errors';
import { idFromRef } from '../secrets/barbican-model';
import type { WebhookNotifier } from '../observability/webhook';
import { inDialect, type HttpRequest } from '../http/pipeline/route';
import { barbicanRoutes } from '../http/barbican/barbican-routes';
import { keystoneRoutes } from '../http/barbican/keystone-routes';
import type { BarbicanApi } from '../http/barbican/barbican-api';


/** The Barbican API and its Keystone front door, assembled from the store, the key hierarchy, IAM and the domain CAs. */
export function wireBarbican(deps: {
  store: Store;
  keys: KeyHierarchy;
  domains: DomainService;
  serverCas: ServerCaService;
  iam: IamService;
  clock: () => Date;
  urnRegion: string;
  rootAccount: string;
  baseUrl: () => string;
  gatewayBaseUrl: () => string;
  tokenTtlSeconds: number;
  orderKey: KeySpec;
  orderCertificateDays: number;
  notifier?: WebhookNotifier;
}): BarbicanApi {
  const { store, clock } = deps;
  const access = new ObjectAccess({ store, urnRegion: deps.urnRegion, clock });
  const secrets = new SecretService({ store, keys: deps.keys, access, clock });
  const containers = new ContainerService({ store, access, clock });
  const orders = new OrderService({ store, access, secrets, containers, serverCas: deps.serverCas, clock, defaultKey: deps.orderKey, certificateDays: deps.orderCertificateDays });
  const tokens = new KeystoneTokens({ store, clock, rootAccount: deps.rootAccount, ttlSeconds: deps.tokenTtlSeconds });
  const services = {
    secrets, containers, orders, acls: new AclService({ store, access, clock }), cas: new CaDirectory({ store, access }),
    ...(deps.notifier ? { notify: (event: { event: string }) => deps.notifier!.deliver(event) } : {}),
  };
  const routes = [...inDialect('keystone', keystoneRoutes(tokens, deps.baseUrl, deps.urnRegion)), ...inDialect('barbican', barbicanRoutes({ ...services, baseUrl: deps.baseUrl }))];
  const gatewayRoutes = inDialect('barbican', barbicanRoutes({ ...services, baseUrl: deps.gatewayBaseUrl }));
  const authenticate = async (req: HttpRequest): Promise<BarbicanCaller> => {
    const token = await tokens.validate(req.get('x-auth-token'));
    let identities: Promise<readonly string[]> | undefined;
    return {
      accountId: token.accountId,
      userId: token.userId,
      projectId: token.projectId,
      async authorize(action, resource) {
        identities ??= deps.iam.resolveIdentities(token.accountId, [identityUrn(deps.urnRegion, 'user', token.accountId, token.userId)]).then((r) => r.effective);
        const decision = await deps.iam.decide({ accountId: token.accountId, identities: await identities, action, resource, sourceIp: req.remoteAddress });
        return decision.allowed;
      },
    };
  };
  const openCertificateContainer: BarbicanApi['openCertificateContainer'] = async (accountId, containerRef) => {
    const container = await store.objects.get('container', idFromRef(containerRef, 'containerRef'));
    const domain = container && (await store.domains.get(container.domainId));
    if (!container || !domain || domain.accountId !== accountId) throw new OkmsError('ERR_NOT_FOUND', 'containerRef: no such container in this account', { field: 'containerRef' });
    const text: Record<string, string> = {};
    for (const ref of container.doc.secretRefs) {
      const secret = ref.name ? await store.objects.get('secret', ref.secretId) : undefined;
      if (secret?.doc.payload) text[ref.name!] = (await secrets.open(secret)).toString('utf8');
    }
    if (!text.certificate) throw new OkmsError('ERR_VALIDATION', 'containerRef: the container holds no certificate', { field: 'containerRef' });
    return {
      certificate: text.certificate, domainId: domain.id,
      ...(text.private_key ? { privateKey: text.private_key } : {}), ...(text.private_key_passphrase ? { passphrase: text.private_key_passphrase } : {}),
      ...(text.intermediates ? { chain: text.intermediates } : {}),
    };
  };
  return { routes, gatewayRoutes, authenticate, openCertificateContainer, purgeExpiredTokens: (now) => tokens.purgeExpired(now) };
}
