-- UserAiSettings: the user's row of user_ai_settings, every field null without one.
create or replace function public._coach_settings(p_user uuid) returns jsonb
language sql stable security invoker set search_path = '' set timezone to 'UTC'
as $$
  select coalesce((
    select pg_catalog.jsonb_build_object(
      'openai_enabled', s.openai_enabled,
      'fallback_enabled', s.fallback_enabled,
      'daily_token_limit', s.daily_token_limit,
      'daily_cost_limit_usd', s.daily_cost_limit_usd::float8,
      'cohort', s.cohort)
    from public.user_ai_settings s where s.user_id = p_user),
    pg_catalog.jsonb_build_object('openai_enabled', null, 'fallback_enabled', null, 'daily_token_limit', null,
                                  'daily_cost_limit_usd', null, 'cohort', null))
$$;
