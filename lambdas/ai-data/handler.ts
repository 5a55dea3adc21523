/**
 * POST /functions/v1/ai-data (`export` or `delete`) and GET /functions/v1/ai-data/erasures/{erasure_id}:
 * one function for both routes, dispatched on API Gateway's `resource`.
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { ROUTES } from '../shared/contract/routes';
import { config } from '../shared/config';
import { httpRoute, routeOptions, type ProxyHandler } from '../shared/middleware';
import { lazyDeps } from '../shared/runtime/lazy';
import { lambdaStoreCall } from '../shared/runtime/store';
import { eraserFromConfig, erasureStateMachineArn, stepFunctionsErasures } from './runtime';
import { exportAiData, getErasure, requestErasure, type AiDataDeps } from './service';
import { aiDataStore } from './store';

/** The ai-data function: both routes over `getDeps` (the Lambda's composition, a test's or the local server's). */
export function createAiDataHandler(getDeps: () => Promise<AiDataDeps>): ProxyHandler {
  const manage = httpRoute(routeOptions(ROUTES.manageAiData), async (req) => {
    const deps = await getDeps();
    if (req.body.action === 'export') {
      return { statusCode: 200, body: await exportAiData(deps, req.userId, req.signal) };
    }
    const outcome = await requestErasure(deps, { userId: req.userId, signal: req.signal });
    return { statusCode: outcome.status, body: outcome.body };
  });
  const erasure = httpRoute(routeOptions(ROUTES.getAiDataErasure), async (req) => {
    const deps = await getDeps();
    const body = await getErasure(deps, {
      userId: req.userId,
      erasureId: req.params.erasure_id,
      signal: req.signal,
    });
    return { statusCode: 200, body };
  });
  return (event: APIGatewayProxyEvent, context: Context): Promise<APIGatewayProxyResult> =>
    event.resource === ROUTES.getAiDataErasure.path ? erasure(event, context) : manage(event, context);
}

/** The ai-data function's entry, with the Lambda's dependencies. */
export const handler = createAiDataHandler(
  lazyDeps(async (): Promise<AiDataDeps> => {
    const cfg = config();
    const arn = erasureStateMachineArn();
    const [call, eraser] = await Promise.all([lambdaStoreCall(cfg), eraserFromConfig(cfg)]);
    return { store: aiDataStore(call), eraser, erasures: arn ? stepFunctionsErasures(arn) : null };
  }),
);
