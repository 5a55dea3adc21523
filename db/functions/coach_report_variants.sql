-- The A/B report, for operators (service role only): per UTC day of [p.from, p.to] and per
-- variant (openai, simulated, safety) the replies, their average and p90 response time, the
-- fallback rate, the thumbs-up rate from feedback, tokens and cost (_coach_report_replies
-- says what each counts). `{"from", "to", "rows": [...]}` or a 400 refusal.
create or replace function public.coach_report_variants(p jsonb) returns jsonb
language plpgsql stable security invoker set search_path = '' set timezone to 'UTC'
as $$
declare
  v_range jsonb := public._coach_report_range(p);
begin
  if v_range ? 'error' then
    return v_range;
  end if;
  return v_range || pg_catalog.jsonb_build_object('rows', public._coach_report_replies(
    (v_range ->> 'from')::date, (v_range ->> 'to')::date, false));
end
$$;
