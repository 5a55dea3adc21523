/**
 * POST /functions/v1/openai-chat-completion: send a message, get the coach's reply
 * (200), or a run to poll when the reply takes longer than the sync budget (202).
 */
import { ROUTES } from '../shared/contract/routes';
import { CHAT_TIMEOUT_EARLY_MS } from '../shared/contract/timing';
import { config } from '../shared/config';
import { httpRoute, routeOptions } from '../shared/middleware';
import { metricsObserver } from '../shared/observer';
import { policyFromConfig } from '../shared/policy';
import { lazyDeps } from '../shared/runtime/lazy';
import { modelFromConfig } from '../shared/runtime/model';
import { screeningFromConfig } from '../shared/runtime/screening';
import { stepFunctionsPoller } from '../shared/runtime/poller';
import { lambdaStoreCall } from '../shared/runtime/store';
import { countedChat, turnInputOf } from './request';
import { sendChatMessage, type ChatDeps } from './service';
import { turnStore } from './store';

export function createChatHandler(getDeps: () => Promise<ChatDeps>) {
  // The early answer the sync budget's cap counts on (contract/timing.ts).
  const options = { ...routeOptions(ROUTES.sendChatMessage), timeoutEarlyInMillis: CHAT_TIMEOUT_EARLY_MS };
  return httpRoute(options, (req) =>
    countedChat(req, async () => {
      const outcome = await sendChatMessage(await getDeps(), turnInputOf(req));
      return { statusCode: outcome.status, body: outcome.body };
    }),
  );
}

export const handler = createChatHandler(
  lazyDeps(async (): Promise<ChatDeps> => {
    const cfg = config();
    const [call, model, screening] = await Promise.all([
      lambdaStoreCall(cfg),
      modelFromConfig(cfg),
      screeningFromConfig(cfg),
    ]);
    return {
      store: turnStore(call),
      model,
      ...screening,
      poller: cfg.pollerStateMachineArn ? stepFunctionsPoller(cfg.pollerStateMachineArn) : null,
      policy: policyFromConfig(cfg),
      observer: metricsObserver,
    };
  }),
);
