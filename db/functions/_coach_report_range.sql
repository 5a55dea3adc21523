-- The period of a report: `p.from` and `p.to`, UTC days as `YYYY-MM-DD`, both included, at
-- most 366 days (a year, so a report stays one readable JSON answer). Returns
-- `{"from": date, "to": date}`, or a 400 refusal that says what is wrong.
create or replace function public._coach_report_range(p jsonb) returns jsonb
language plpgsql stable security invoker set search_path = '' set timezone to 'UTC'
as $$
declare
  v_from date;
  v_to date;
begin
  if p is null or pg_catalog.jsonb_typeof(p) <> 'object' or p - 'from' - 'to' <> '{}'::jsonb then
    return public._coach_refusal(400, 'validation_failed', 'A report takes an object with from and to only.');
  end if;
  if coalesce(p ->> 'from', '') !~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$'
     or coalesce(p ->> 'to', '') !~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$' then
    return public._coach_refusal(400, 'validation_failed', 'from and to must be days as YYYY-MM-DD (UTC).');
  end if;
  begin
    v_from := (p ->> 'from')::date;
    v_to := (p ->> 'to')::date;
  exception when datetime_field_overflow or invalid_datetime_format then
    return public._coach_refusal(400, 'validation_failed', 'from or to is not a calendar day.');
  end;
  if v_to < v_from then
    return public._coach_refusal(400, 'validation_failed', 'to is before from.');
  end if;
  if v_to - v_from >= 366 then
    return public._coach_refusal(400, 'validation_failed', 'A report covers at most 366 days.');
  end if;
  return pg_catalog.jsonb_build_object('from', v_from, 'to', v_to);
end
$$;
