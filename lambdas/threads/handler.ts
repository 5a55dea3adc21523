/** POST /functions/v1/thread-manager: the PRD's thread actions for the app's ChatRepository. */
import { ROUTES } from '../shared/contract/routes';
import { config } from '../shared/config';
import { httpRoute, routeOptions } from '../shared/middleware';
import { lazyDeps } from '../shared/runtime/lazy';
import { modelFromConfig } from '../shared/runtime/model';
import { lambdaStoreCall } from '../shared/runtime/store';
import { policyFromConfig } from '../shared/policy';
import { getOrCreateThread, type ThreadsDeps } from './service';
import { threadStore } from './store';

export function createThreadsHandler(getDeps: () => Promise<ThreadsDeps>) {
  return httpRoute(routeOptions(ROUTES.manageThreads), async (req) => {
    const deps = await getDeps();
    const body = req.body;
    const options = { signal: req.signal };
    switch (body.action) {
      case 'get_or_create':
        return {
          statusCode: 200,
          body: await getOrCreateThread(deps, req.userId, body.assistant_type, req.signal),
        };
      case 'update_interaction':
        return {
          statusCode: 200,
          body: await deps.store.touchThread({ user_id: req.userId, thread_id: body.thread_id }, options),
        };
      case 'get_threads':
        return { statusCode: 200, body: await deps.store.listThreads({ user_id: req.userId }, options) };
    }
  });
}

export const handler = createThreadsHandler(
  lazyDeps(async (): Promise<ThreadsDeps> => {
    const cfg = config();
    const [call, model] = await Promise.all([lambdaStoreCall(cfg), modelFromConfig(cfg)]);
    return { store: threadStore(call), model, policy: policyFromConfig(cfg) };
  }),
);
