/** GET /functions/v1/openai-chat-completion/runs/{run_id}: the state of a long run, owner only. */
import { ROUTES } from '../shared/contract/routes';
import { config } from '../shared/config';
import { appError } from '../shared/errors';
import { httpRoute, routeOptions } from '../shared/middleware';
import { lazyDeps } from '../shared/runtime/lazy';
import { lambdaStoreCall } from '../shared/runtime/store';
import { runReader, type RunReader } from './store';

export interface RunsDeps {
  readonly store: RunReader;
}

export function createRunsHandler(getDeps: () => Promise<RunsDeps>) {
  return httpRoute(routeOptions(ROUTES.getChatRun), async (req) => {
    const { store } = await getDeps();
    const state = await store.getRun(
      { run_id: req.params.run_id, user_id: req.userId },
      { signal: req.signal },
    );
    // Someone else's run is indistinguishable from an unknown one.
    if (!state) throw appError('run_not_found');
    return { statusCode: 200, body: state };
  });
}

export const handler = createRunsHandler(
  lazyDeps(async () => ({ store: runReader(await lambdaStoreCall(config())) })),
);
