/**
 * The PRD's thread actions. `get_or_create` makes sure the thread has a real OpenAI
 * conversation (replacing a legacy locally generated id) when OpenAI is configured and not
 * switched off; otherwise it keeps a local id.
 */
import type { CoachProfileId, UserAssistantThread } from '../shared/contract/schemas';
import { profileById, profileRef } from '../shared/coach/profiles';
import { conversationMetadata, isConversationId, newLocalThreadId } from '../shared/coach/threads';
import { appError } from '../shared/errors';
import type { Policy } from '../shared/policy';
import type { CoachModel } from '../shared/ports';
import { safetyIdentifier } from '../shared/user-hash';
import type { ThreadStore } from './store';

export interface ThreadsDeps {
  readonly store: ThreadStore;
  readonly model: CoachModel | null;
  readonly policy: Pick<Policy, 'flags'>;
}

export async function getOrCreateThread(
  deps: ThreadsDeps,
  userId: string,
  assistantType: CoachProfileId,
  signal?: AbortSignal,
): Promise<UserAssistantThread> {
  const existing = await deps.store.getThread({ user_id: userId, assistant_type: assistantType }, { signal });
  if (existing && isConversationId(existing.thread_id)) return existing;
  const ref = profileRef(profileById(assistantType));
  // With the kill switch on, nothing is sent to OpenAI: not even an empty conversation.
  if (!deps.model || !(await deps.policy.flags.current()).openai_enabled) {
    if (existing) return existing;
    return deps.store.saveThreadConversation(
      { user_id: userId, assistant_type: assistantType, thread_id: newLocalThreadId(), profile_ref: ref },
      { signal },
    );
  }
  let conversationId: string;
  try {
    const conversation = await deps.model.createConversation(
      { metadata: conversationMetadata(assistantType, safetyIdentifier(userId)) },
      { signal },
    );
    conversationId = conversation.id;
  } catch (error) {
    // The app can keep chatting on its current thread; the chat call will retry the upgrade.
    if (existing) return existing;
    throw appError('upstream_unavailable', {
      message: 'Could not start a conversation right now; please try again.',
      cause: error,
      retryAfterSeconds: 10,
    });
  }
  return deps.store.saveThreadConversation(
    { user_id: userId, assistant_type: assistantType, thread_id: conversationId, profile_ref: ref },
    { signal },
  );
}
