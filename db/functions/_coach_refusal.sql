-- An expected refusal as the store reads it: {"error": {status, code, message}}. Refusals are
-- returned, never raised; anything raised is a fault (lambdas/shared/store/function-chat-store.ts).
create or replace function public._coach_refusal(p_status int, p_code text, p_message text) returns jsonb
language sql immutable security invoker set search_path = '' set timezone to 'UTC'
as $$
  select pg_catalog.jsonb_build_object(
    'error', pg_catalog.jsonb_build_object('status', p_status, 'code', p_code, 'message', p_message))
$$;
