/** POST /functions/v1/chat-feedback: thumbs up/down (+ comment) on one of the user's AI messages. */
import { ROUTES } from '../shared/contract/routes';
import { config } from '../shared/config';
import { httpRoute, routeOptions } from '../shared/middleware';
import { lazyDeps } from '../shared/runtime/lazy';
import { lambdaStoreCall } from '../shared/runtime/store';
import { feedbackStore, type FeedbackStore } from './store';

export interface FeedbackDeps {
  readonly store: FeedbackStore;
}

export function createFeedbackHandler(getDeps: () => Promise<FeedbackDeps>) {
  return httpRoute(routeOptions(ROUTES.sendChatFeedback), async (req) => {
    const { store } = await getDeps();
    const reply = await store.recordFeedback(
      {
        user_id: req.userId,
        message_id: req.body.message_id,
        rating: req.body.rating,
        comment: req.body.comment ?? null,
      },
      { signal: req.signal },
    );
    return { statusCode: 200, body: reply };
  });
}

export const handler = createFeedbackHandler(
  lazyDeps(async () => ({ store: feedbackStore(await lambdaStoreCall(config())) })),
);
