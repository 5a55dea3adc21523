-- What a user's limits are checked against, in one statement (so one snapshot: a turn recorded
-- meanwhile is counted once, as usage or as a reservation, never as neither): today's turns
-- (UTC) and those of the last minute, today's recorded usage, today's open reservations, and
-- everyone's cost today with every open reservation (the global budget). p_exclude is the run
-- being claimed again, whose own earlier claim must not count against it.
create or replace function public._coach_turn_usage(p_user uuid, p_exclude uuid) returns jsonb
language sql stable security invoker set search_path = '' set timezone to 'UTC'
as $$
  select pg_catalog.jsonb_build_object(
    'messages_today', (
      select count(*) from public.chat_runs r
      where r.user_id = p_user and r.created_at >= d.day and r.id is distinct from p_exclude),
    'messages_last_minute', (
      select count(*) from public.chat_runs r
      where r.user_id = p_user and r.created_at > now() - interval '1 minute' and r.id is distinct from p_exclude),
    -- When the oldest turn of the last minute leaves the window.
    'minute_retry_seconds', (
      select greatest(1, ceil(extract(epoch from min(r.created_at) + interval '1 minute' - now())))::int
      from public.chat_runs r
      where r.user_id = p_user and r.created_at > now() - interval '1 minute' and r.id is distinct from p_exclude),
    'day_retry_seconds', greatest(1, ceil(extract(epoch from d.day + interval '1 day' - now())))::int,
    'tokens', (
      select coalesce(sum(u.total_tokens), 0) from public.openai_usage_logs u
      where u.user_id = p_user and u.created_at >= d.day),
    'cost_usd', (
      select coalesce(sum(u.cost_estimate), 0)::float8 from public.openai_usage_logs u
      where u.user_id = p_user and u.created_at >= d.day),
    'reserved_tokens', (
      select coalesce(sum(r.reserved_tokens), 0) from public.chat_runs r
      where r.user_id = p_user and r.reservation_open and r.claimed_at >= d.day and r.id is distinct from p_exclude),
    'reserved_cost_usd', (
      select coalesce(sum(r.reserved_cost_usd), 0)::float8 from public.chat_runs r
      where r.user_id = p_user and r.reservation_open and r.claimed_at >= d.day and r.id is distinct from p_exclude),
    'global_cost_usd', (
      (select coalesce(sum(u.cost_estimate), 0) from public.openai_usage_logs u where u.created_at >= d.day)
      + (select coalesce(sum(r.reserved_cost_usd), 0) from public.chat_runs r
         where r.reservation_open and r.claimed_at >= d.day and r.id is distinct from p_exclude))::float8)
  from (select pg_catalog.date_trunc('day', now()) as day) as d
$$;
