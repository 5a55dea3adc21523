-- The replies of [p_from, p_to] (UTC days) per day and variant, and per cohort too when
-- p_by_cohort (then only turns whose run recorded a cohort). A reply is an AI row the backend
-- stored for a turn (the row its run names: rows the app inserted itself are not replies).
-- The variant is the coach the turn was sent to: a fallback (OpenAI failed and the simulated
-- coach answered) counts under openai, so fallback_rate is the share of OpenAI turns that
-- fell back; simulated is the simulated coach by decision (cohort, kill switch, budget);
-- safety is a crisis reply instead of either coach: a row stored with variant 'safety', or a
-- turn whose run has a safety event of source user_message and action crisis_reply.
-- Response times from the AI row, p90 the smallest time that 90 % of replies did not exceed;
-- thumbs_up_rate over the rated replies. Tokens and cost are from openai_usage_logs, by the day
-- each was logged: they stay when the user deletes the reply or erases their data, so a day
-- may show cost without replies. Rates are null without a basis.
create or replace function public._coach_report_replies(p_from date, p_to date, p_by_cohort boolean) returns jsonb
language sql stable security invoker set search_path = '' set timezone to 'UTC'
as $$
  with replies as (
    select a.created_at::date as day,
           case
             when exists (
               select 1 from public.safety_events e
               where e.run_id = r.id and e.source = 'user_message' and e.action = 'crisis_reply')
               then 'safety'
             when a.variant = 'simulated' and a.fallback then 'openai'
             else a.variant
           end as variant,
           case when p_by_cohort then r.cohort else '' end as cohort,
           a.fallback, a.response_time_ms, f.rating
    from public.journal_ai_chats a
    join public.chat_runs r on r.ai_message_id = a.id and r.user_id = a.user_id
    left join public.chat_feedback f on f.message_id = a.id and f.user_id = a.user_id
    where a.message_type = 'ai' and a.variant is not null
      and a.created_at >= p_from::timestamp and a.created_at < (p_to + 1)::timestamp
      and (not p_by_cohort or r.cohort is not null)
  ),
  reply_days as (
    select day, variant, cohort,
           count(*) as messages,
           round(avg(response_time_ms)) as avg_ms,
           percentile_disc(0.9) within group (order by response_time_ms) as p90_ms,
           count(*) filter (where fallback) as fallbacks,
           count(rating) as rated,
           count(*) filter (where rating = 'up') as thumbs_up
    from replies
    group by day, variant, cohort
  ),
  usage_days as (
    select (u.created_at at time zone 'UTC')::date as day,
           coalesce(u.variant, 'openai') as variant,
           case when p_by_cohort then r.cohort else '' end as cohort,
           sum(u.total_tokens) as tokens,
           sum(u.cost_estimate) as cost
    from public.openai_usage_logs u
    left join public.chat_runs r on p_by_cohort and r.id = u.run_id
    where u.created_at >= p_from::timestamp at time zone 'UTC'
      and u.created_at < (p_to + 1)::timestamp at time zone 'UTC'
      and (not p_by_cohort or r.cohort is not null)
    group by 1, 2, 3
  )
  select coalesce(pg_catalog.jsonb_agg(
    pg_catalog.jsonb_strip_nulls(pg_catalog.jsonb_build_object('cohort', nullif(cohort, '')))
    || pg_catalog.jsonb_build_object(
      'day', pg_catalog.to_char(day, 'YYYY-MM-DD'),
      'variant', variant,
      'messages', coalesce(messages, 0),
      'avg_response_ms', avg_ms,
      'p90_response_ms', p90_ms,
      'fallbacks', coalesce(fallbacks, 0),
      'fallback_rate', case when messages > 0 then round(fallbacks::numeric / messages, 4) end,
      'rated', coalesce(rated, 0),
      'thumbs_up', coalesce(thumbs_up, 0),
      'thumbs_up_rate', case when rated > 0 then round(thumbs_up::numeric / rated, 4) end,
      'tokens', coalesce(tokens, 0),
      'cost_usd', round(coalesce(cost, 0), 6))
    -- Cohorts are buckets '0'–'99' (or 'override'): in numeric order.
    order by day, variant, pg_catalog.lpad(cohort, 8, '0')), '[]'::jsonb)
  from reply_days full join usage_days using (day, variant, cohort)
$$;
