/**
 * POST /functions/v1/thread-manager: the PRD's thread actions for the app's ChatRepository.
 * `get_or_create` makes sure the thread has a real OpenAI conversation (replacing a legacy
 * locally generated id) when OpenAI is configured; otherwise it keeps a local id.
 */
import { randomUUID } from 'node:crypto';
import { ThreadManagerRequest, type CoachProfileId, type UserAssistantThread } from '../shared/api-schemas';
import { profileRef, profileById } from '../shared/coach/profiles';
import { serviceUnavailable } from '../shared/errors';
import { conversationMetadata } from '../chat/service';
import { httpRoute } from '../shared/middleware';
import { defaultRuntime, type Runtime } from '../shared/runtime';
import { safetyIdentifier } from '../shared/user-hash';

export async function getOrCreateThread(
  runtime: Pick<Runtime, 'store' | 'model' | 'chat'>,
  userId: string,
  assistantType: CoachProfileId,
  signal?: AbortSignal,
): Promise<UserAssistantThread> {
  const existing = await runtime.store.getThread({ user_id: userId, assistant_type: assistantType });
  if (existing?.thread_id.startsWith('conv_')) return existing;
  const ref = profileRef(profileById(assistantType));
  // With the kill switch on, nothing is sent to OpenAI: not even an empty conversation.
  if (!runtime.model || !runtime.chat.policy.openaiEnabled) {
    if (existing) return existing;
    return runtime.store.saveThreadConversation({
      user_id: userId,
      assistant_type: assistantType,
      thread_id: `thread_local_${randomUUID()}`,
      profile_ref: ref,
    });
  }
  let conversationId: string;
  try {
    const conversation = await runtime.model.createConversation(
      { metadata: conversationMetadata(assistantType, safetyIdentifier(userId)) },
      { signal },
    );
    conversationId = conversation.id;
  } catch (error) {
    // The app can keep chatting on its current thread; the chat call will retry the upgrade.
    if (existing) return existing;
    throw serviceUnavailable(
      'upstream_unavailable',
      'Could not start a conversation right now; please try again.',
      {
        cause: error,
        retryAfterSeconds: 10,
      },
    );
  }
  return runtime.store.saveThreadConversation({
    user_id: userId,
    assistant_type: assistantType,
    thread_id: conversationId,
    profile_ref: ref,
  });
}

export function createThreadsHandler(getRuntime: () => Promise<Runtime>) {
  return httpRoute({ name: 'thread-manager', body: ThreadManagerRequest }, async (req) => {
    const runtime = await getRuntime();
    const body = req.body;
    switch (body.action) {
      case 'get_or_create':
        return {
          statusCode: 200,
          body: await getOrCreateThread(runtime, req.userId, body.assistant_type, req.signal),
        };
      case 'update_interaction':
        return {
          statusCode: 200,
          body: await runtime.store.touchThread({ user_id: req.userId, thread_id: body.thread_id }),
        };
      case 'get_threads':
        return { statusCode: 200, body: await runtime.store.listThreads({ user_id: req.userId }) };
    }
  });
}

export const handler = createThreadsHandler(defaultRuntime);
