-- Builds the views the coach functions read the app's own tables through, from what
-- coach_internal.discover_shape() found in the catalog, and the indexes the coach's lookups
-- need on the discovered columns. While the shape has a problem it raises instead, so the
-- migration that calls it rolls back and nothing is changed. Run it again after the app's
-- tables change (a name column added, a pillar ordering, another key):
--   select coach_internal.refresh_adapter();
-- The views always have these columns, whatever the tables look like:
--   profile_names (user_id, display_name): the first non-empty profile name column, else
--     auth.users.raw_user_meta_data display_name / full_name / name, else null;
--   pillars (pillar_ref, pillar_key, display_name, position): pillar_ref is what goals
--     reference, pillar_key what ratings hold, position the discovered order;
--   ratings (user_id, pillar, pillar_display_name, pillar_position, rating, rated_at, row_ref);
--   goals (id, user_id, title, focus, is_active, pillar, pillar_display_name, created_at).
-- Times are timestamptz: a `timestamp` column is read as UTC. The views belong to the
-- migrating role (so they read auth.users and the app's tables whatever their RLS) and are
-- readable by service_role only, in a schema the Data API does not expose.
create or replace function coach_internal.refresh_adapter() returns jsonb
language plpgsql volatile security invoker set search_path = '' set timezone to 'UTC'
as $$
declare
  v_shape jsonb := coach_internal.discover_shape();
  v_map jsonb := v_shape -> 'mapping';
  v_names text;
  v_pillar_key text;
  v_rating_key text;
  v_rated_at text;
  v_goal_created text;
  v_index jsonb;
begin
  if pg_catalog.jsonb_array_length(v_shape -> 'problems') > 0 then
    raise exception 'The app''s tables cannot take the coach backend; nothing was changed.'
      using detail = (
              select pg_catalog.string_agg((x ->> 'message') || ' ' || (x ->> 'action'), E'\n')
              from pg_catalog.jsonb_array_elements(v_shape -> 'problems') as x),
            hint = 'npm run migrate -- --check prints the whole report.';
  end if;

  select pg_catalog.string_agg(parts.sql, ', ' order by parts.ord) into v_names
  from (
    select n.ord, pg_catalog.format('nullif(pg_catalog.btrim(pr.%I::text), %L)', n.col, '') as sql
    from pg_catalog.jsonb_array_elements_text(v_map -> 'name_columns') with ordinality as n (col, ord)
    union all
    select 100 + m.ord, pg_catalog.format('nullif(pg_catalog.btrim(u.raw_user_meta_data ->> %L), %L)', m.key, '')
    from pg_catalog.jsonb_array_elements_text(v_map -> 'name_metadata_keys') with ordinality as m (key, ord)
  ) as parts;
  v_names := coalesce('coalesce(' || v_names || ')', 'null::text');

  if v_map -> 'pillar_key' ->> 'mode' = 'display_name' then
    v_pillar_key := 'pg_catalog.lower(p.display_name::text)';
    v_rating_key := 'pg_catalog.lower(r.pillar::text)';
  else
    v_pillar_key := pg_catalog.format('p.%I::text', v_map -> 'pillar_key' ->> 'column');
    v_rating_key := 'r.pillar::text';
  end if;

  v_rated_at := case v_map ->> 'rating_created_at_type'
    when 'timestamp with time zone' then 'r.created_at'
    when 'timestamp without time zone' then '(r.created_at at time zone ''UTC'')'
    else '(r.created_at::timestamp at time zone ''UTC'')'
  end;
  v_goal_created := case v_map ->> 'goal_created_at_type'
    when 'timestamp with time zone' then 'g.created_at'
    when 'timestamp without time zone' then '(g.created_at at time zone ''UTC'')'
    when 'date' then '(g.created_at::timestamp at time zone ''UTC'')'
    else 'null::timestamptz'
  end;

  -- Dropped and created (not replaced), so a column type that changed underneath is taken.
  drop view if exists coach_internal.goals, coach_internal.ratings, coach_internal.pillars, coach_internal.profile_names;

  execute pg_catalog.format(
    'create view coach_internal.profile_names as '
    'select u.id as user_id, %s as display_name '
    'from auth.users u left join public.profiles pr on pr.%I = u.id',
    v_names, v_map -> 'profile_key' ->> 'column');

  execute pg_catalog.format(
    'create view coach_internal.pillars as '
    'select p.%I::text as pillar_ref, %s as pillar_key, p.display_name::text as display_name, '
    'pg_catalog.row_number() over (order by p.%I nulls last, p.display_name, %s) as position '
    'from public.pillars p',
    v_map -> 'goal_pillar' ->> 'pillar_column', v_pillar_key, v_map ->> 'pillar_order', v_pillar_key);

  execute pg_catalog.format(
    'create view coach_internal.ratings as '
    'select r.user_id, r.pillar::text as pillar, p.display_name as pillar_display_name, '
    'p.position as pillar_position, r.rating::numeric as rating, %s as rated_at, r.ctid as row_ref '
    'from public.pillar_ratings r left join coach_internal.pillars p on p.pillar_key = %s',
    v_rated_at, v_rating_key);

  execute pg_catalog.format(
    'create view coach_internal.goals as '
    'select g.id, g.user_id, coalesce(g.title::text, %L) as title, g.focus::text as focus, g.is_active, '
    'p.pillar_key as pillar, p.display_name as pillar_display_name, %s as created_at '
    'from public.user_goals g left join coach_internal.pillars p on p.pillar_ref = g.%I::text',
    '', v_goal_created, v_map -> 'goal_pillar' ->> 'goal_column');

  revoke all on coach_internal.profile_names, coach_internal.pillars, coach_internal.ratings, coach_internal.goals
    from public, anon, authenticated;
  grant select on coach_internal.profile_names, coach_internal.pillars, coach_internal.ratings, coach_internal.goals
    to service_role;

  for v_index in
    select x from pg_catalog.jsonb_array_elements(v_shape -> 'indexes') as x where not (x ->> 'exists')::boolean
  loop
    execute pg_catalog.format('create index if not exists %I on %s (%I)',
                              v_index ->> 'name', v_index ->> 'table', v_index ->> 'column');
  end loop;

  return v_map;
end
$$;
