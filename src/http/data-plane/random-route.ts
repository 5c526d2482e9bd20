import { randomBytes } from 'node:crypto';
import type { DataPlaneRoute } from './data-plane-route';
import { GatewayError } from '../pipeline/okms-error';

/** GET /v1/random?length=N (1..4096, default 1): {"bytes": base64}. */
export const randomRoute: DataPlaneRoute = {
  method: 'get',
  path: '/v1/random',
  success: 200,
  action: 'okms:apikms:random/get',
  resource: ({ domainUrn }) => domainUrn,
  async handle({ req }) {
    const raw = req.query.length;
    const length = raw === undefined ? 1 : typeof raw === 'string' && /^\d{1,4}$/.test(raw) ? Number(raw) : NaN;
    if (!(length >= 1 && length <= 4096)) throw new GatewayError('bad_request', 'length: must be an integer from 1 to 4096');
    return { status: 200, body: { bytes: randomBytes(length).toString('base64') } };
  },
};
