/**
 * What a thread id is. A thread (`user_assistant_threads.thread_id`) is an OpenAI
 * conversation (`conv_…`) once the coach has talked on it through OpenAI; before that, or when
 * only the simulated coach answered, it has a locally generated id, as the app's own threads
 * always had. Chat and thread-manager follow these rules.
 */
import { randomUUID } from 'node:crypto';

const CONVERSATION_PREFIX = 'conv_';
const LOCAL_THREAD_PREFIX = 'thread_local_';

/** True for an OpenAI conversation id. */
export function isConversationId(threadId: string | null | undefined): threadId is string {
  return typeof threadId === 'string' && threadId.startsWith(CONVERSATION_PREFIX);
}

/** A new locally generated thread id (no OpenAI conversation yet). */
export function newLocalThreadId(): string {
  return `${LOCAL_THREAD_PREFIX}${randomUUID()}`;
}

/** Metadata of a new conversation: the coach and a hash of the user, never the raw id. */
export function conversationMetadata(profileId: string, safetyId: string): Record<string, string> {
  return { assistant_type: profileId, user: safetyId };
}
