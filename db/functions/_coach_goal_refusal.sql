-- 404 goal_not_found / 403 goal_forbidden, or null when the goal is absent or the user's.
create or replace function public._coach_goal_refusal(p_user uuid, p_goal uuid) returns jsonb
language sql stable security invoker set search_path = '' set timezone to 'UTC'
as $$
  select case
    when p_goal is null then null
    when not exists (select 1 from public.user_goals g where g.id = p_goal)
      then public._coach_refusal(404, 'goal_not_found', 'No such goal.')
    when not exists (select 1 from public.user_goals g where g.id = p_goal and g.user_id = p_user)
      then public._coach_refusal(403, 'goal_forbidden', 'This goal belongs to another user.')
  end
$$;
