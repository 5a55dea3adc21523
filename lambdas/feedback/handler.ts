/** POST /functions/v1/chat-feedback: thumbs up/down (+ comment) on one of the user's AI messages. */
import { FeedbackRequest } from '../shared/api-schemas';
import { httpRoute } from '../shared/middleware';
import { defaultRuntime, type Runtime } from '../shared/runtime';

export function createFeedbackHandler(getRuntime: () => Promise<Runtime>) {
  return httpRoute({ name: 'chat-feedback', body: FeedbackRequest }, async (req) => {
    const { store } = await getRuntime();
    const reply = await store.recordFeedback({
      user_id: req.userId,
      message_id: req.body.message_id,
      rating: req.body.rating,
      comment: req.body.comment ?? null,
    });
    return { statusCode: 200, body: reply };
  });
}

export const handler = createFeedbackHandler(defaultRuntime);
