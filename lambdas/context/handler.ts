/** POST /functions/v1/user-context-builder: the context the coach sees. */
import { ROUTES } from '../shared/contract/routes';
import { config } from '../shared/config';
import { httpRoute, routeOptions } from '../shared/middleware';
import { policyFromConfig } from '../shared/policy';
import { lazyDeps } from '../shared/runtime/lazy';
import { lambdaStoreCall } from '../shared/runtime/store';
import { describeContext, type ContextDeps } from './service';
import { contextStore } from './store';

export function createContextHandler(getDeps: () => Promise<ContextDeps>) {
  return httpRoute(routeOptions(ROUTES.buildUserContext), async (req) => ({
    statusCode: 200,
    body: await describeContext(await getDeps(), req.userId, req.body, req.signal),
  }));
}

export const handler = createContextHandler(
  lazyDeps(async (): Promise<ContextDeps> => {
    const cfg = config();
    return { store: contextStore(await lambdaStoreCall(cfg)), policy: policyFromConfig(cfg) };
  }),
);
