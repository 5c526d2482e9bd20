import type { DataPlaneRoute } from '../http/gateway/data-plane-route';
import { randomRoute } from './random-route';

/** Every data-plane endpoint the gateway serves; each names its action from src/iam/actions.ts. */
export const DATA_PLANE_ROUTES: readonly DataPlaneRoute[] = [randomRoute];
