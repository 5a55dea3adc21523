-- ISO-8601 in UTC with a `Z`. Every coach function runs with `timezone = 'UTC'`, so a
-- `timestamp` column (the PRD's tables, filled with UTC) passed here is read as UTC, and a
-- `timestamptz` is printed in UTC: the same text for either column type.
create or replace function public._coach_iso(ts timestamptz) returns text
language sql stable security invoker set search_path = '' set timezone to 'UTC'
as $$
  select pg_catalog.to_char(ts, 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
$$;
