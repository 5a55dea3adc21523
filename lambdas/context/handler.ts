/**
 * POST /functions/v1/user-context-builder: the exact context text the coach sees, and the
 * data behind it (transparency for the user, debugging for us). The same pure builder the
 * chat uses, on the same database function.
 */
import { ContextRequest, type ContextReply } from '../shared/api-schemas';
import { buildCoachContext } from '../shared/coach/context';
import { resolveProfile } from '../shared/coach/profiles';
import { httpRoute } from '../shared/middleware';
import { defaultRuntime, type Runtime } from '../shared/runtime';
import { RECENT_MESSAGES } from '../chat/service';

export function createContextHandler(getRuntime: () => Promise<Runtime>) {
  return httpRoute({ name: 'user-context-builder', body: ContextRequest }, async (req) => {
    const runtime = await getRuntime();
    const data = await runtime.store.getContextData({
      user_id: req.userId,
      goal_id: req.body.goal_id ?? null,
      recent_limit: RECENT_MESSAGES,
    });
    const profile = resolveProfile(req.body.chat_type, runtime.chat.policy.modelOverrides);
    const body: ContextReply = {
      context: buildCoachContext(data, { chatType: req.body.chat_type, profile }),
      chat_type: req.body.chat_type,
      profile_id: profile.id,
      profile_version: profile.version,
      data,
    };
    return { statusCode: 200, body };
  });
}

export const handler = createContextHandler(defaultRuntime);
