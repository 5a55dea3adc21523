-- Safety events, for operators (service role only): per UTC day of [p.from, p.to], source
-- (user_message, coach_reply), category and action, how many safety_events rows were recorded.
-- Counts only: no user, message or score. `{"from", "to", "rows": [...]}` or a 400 refusal.
create or replace function public.coach_report_safety(p jsonb) returns jsonb
language plpgsql stable security invoker set search_path = '' set timezone to 'UTC'
as $$
declare
  v_range jsonb := public._coach_report_range(p);
begin
  if v_range ? 'error' then
    return v_range;
  end if;
  return v_range || pg_catalog.jsonb_build_object('rows', (
    select coalesce(pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object(
        'day', pg_catalog.to_char(d.day, 'YYYY-MM-DD'),
        'source', d.source,
        'category', d.category,
        'action', d.action,
        'events', d.events)
      order by d.day, d.source, d.category, d.action), '[]'::jsonb)
    from (
      select (s.created_at at time zone 'UTC')::date as day, s.source, s.category, s.action,
             count(*) as events
      from public.safety_events s
      where s.created_at >= (v_range ->> 'from')::date::timestamp at time zone 'UTC'
        and s.created_at < ((v_range ->> 'to')::date + 1)::timestamp at time zone 'UTC'
      group by 1, 2, 3, 4
    ) d));
end
$$;
