/**
 * The exact context text the coach sees, and the data behind it (transparency for the user,
 * debugging for us): the same pure builder the chat uses, on the same database function.
 */
import type { ContextReply, ContextRequest } from '../shared/contract/schemas';
import { buildCoachContext, MAX_THEMES } from '../shared/coach/context';
import { resolveProfile } from '../shared/coach/profiles';
import type { Policy } from '../shared/policy';
import type { ContextStore } from './store';

export interface ContextDeps {
  readonly store: ContextStore;
  readonly policy: Pick<Policy, 'settings'>;
}

export async function describeContext(
  deps: ContextDeps,
  userId: string,
  request: ContextRequest,
  signal?: AbortSignal,
): Promise<ContextReply> {
  const data = await deps.store.getContextData(
    { user_id: userId, goal_id: request.goal_id ?? null, recent_limit: MAX_THEMES },
    { signal },
  );
  const profile = resolveProfile(request.chat_type, deps.policy.settings.modelOverrides);
  return {
    context: buildCoachContext(data, { chatType: request.chat_type, profile }),
    chat_type: request.chat_type,
    profile_id: profile.id,
    profile_version: profile.version,
    data,
  };
}
