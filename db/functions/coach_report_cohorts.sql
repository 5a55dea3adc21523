-- The A/B report per cohort, for operators (service role only): the same figures as
-- coach_report_variants per UTC day, variant and cohort (the user's rollout bucket '0'–'99',
-- or 'override'), over the turns whose run recorded a cohort (older turns have none).
-- `{"from", "to", "rows": [...]}` or a 400 refusal.
create or replace function public.coach_report_cohorts(p jsonb) returns jsonb
language plpgsql stable security invoker set search_path = '' set timezone to 'UTC'
as $$
declare
  v_range jsonb := public._coach_report_range(p);
begin
  if v_range ? 'error' then
    return v_range;
  end if;
  return v_range || pg_catalog.jsonb_build_object('rows', public._coach_report_replies(
    (v_range ->> 'from')::date, (v_range ->> 'to')::date, true));
end
$$;
