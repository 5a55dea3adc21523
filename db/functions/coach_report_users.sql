-- Cost per user, for operators (service role only): per UTC day of [p.from, p.to] and user,
-- the OpenAI responses logged, their tokens and cost, from openai_usage_logs (ids and numbers,
-- never text). A user whose AI data was erased keeps their usage with user_id null: those rows
-- are one line per day with user_id null, so the days add up to the variants report's cost.
-- Most expensive first within a day. `{"from", "to", "rows": [...]}` or a 400 refusal.
create or replace function public.coach_report_users(p jsonb) returns jsonb
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
        'user_id', d.user_id,
        'responses', d.responses,
        'tokens', d.tokens,
        'cost_usd', round(d.cost, 6))
      order by d.day, d.cost desc, d.user_id nulls last), '[]'::jsonb)
    from (
      select (u.created_at at time zone 'UTC')::date as day, u.user_id,
             count(*) as responses,
             coalesce(sum(u.total_tokens), 0) as tokens,
             coalesce(sum(u.cost_estimate), 0) as cost
      from public.openai_usage_logs u
      where u.created_at >= (v_range ->> 'from')::date::timestamp at time zone 'UTC'
        and u.created_at < ((v_range ->> 'to')::date + 1)::timestamp at time zone 'UTC'
      group by 1, 2
    ) d));
end
$$;
