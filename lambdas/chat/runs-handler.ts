/** GET /functions/v1/openai-chat-completion/runs/{run_id}: the state of a long run, owner only. */
import { RunIdParams } from '../shared/api-schemas';
import { notFound } from '../shared/errors';
import { httpRoute } from '../shared/middleware';
import { defaultRuntime, type Runtime } from '../shared/runtime';

export function createRunsHandler(getRuntime: () => Promise<Runtime>) {
  return httpRoute({ name: 'chat-runs', params: RunIdParams }, async (req) => {
    const { store } = await getRuntime();
    const state = await store.getRun({ run_id: req.params.run_id, user_id: req.userId });
    // Someone else's run is indistinguishable from an unknown one.
    if (!state) throw notFound('run_not_found', 'No such run.');
    return { statusCode: 200, body: state };
  });
}

export const handler = createRunsHandler(defaultRuntime);
