/** The feedback route's port: a rating of one of the user's AI messages. */
import type { FeedbackReply } from '../shared/contract/schemas';
import type { StoreCall, StoreCallOptions } from '../shared/store/transport';

export interface FeedbackStore {
  recordFeedback(
    input: {
      readonly user_id: string;
      readonly message_id: string;
      readonly rating: 'up' | 'down';
      readonly comment: string | null;
    },
    options?: StoreCallOptions,
  ): Promise<FeedbackReply>;
}

export function feedbackStore(call: StoreCall): FeedbackStore {
  return { recordFeedback: (input, options) => call('coach_record_feedback', input, options) };
}
