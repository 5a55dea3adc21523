-- user-context-builder: the context the coach would see, refusing a goal that does not exist
-- (404) or is another user's (403).
create or replace function public.coach_context_data(p jsonb) returns jsonb
language plpgsql stable security invoker set search_path = '' set timezone to 'UTC'
as $$
declare
  v_user uuid := (p ->> 'user_id')::uuid;
  v_goal uuid := (p ->> 'goal_id')::uuid;
  v_refusal jsonb := public._coach_goal_refusal(v_user, v_goal);
begin
  if v_refusal is not null then
    return v_refusal;
  end if;
  return public._coach_context(v_user, v_goal, (p ->> 'recent_limit')::int);
end
$$;
