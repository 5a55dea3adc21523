-- Local mode's demo user (db/fixtures.ts DEMO_USER_ID, "Sam"): ratings for up to four pillars
-- over two check-ins, two active goals, and no threads yet, so the first chat creates one. The
-- user itself (the auth user, with the name in its metadata where Supabase keeps it, and the
-- profile row) comes first from local-user.sql, as every local user's does (db/baseline.ts
-- applyDemoSeed). It runs after the migrations and writes only what the PRD shows of the app's
-- tables, through what coach_internal.discover_shape() found (the goal's pillar column, the
-- pillar key the ratings hold), so it works on any database the preflight passes; every
-- other column takes its default. A table with a NOT NULL column the seed does not know and
-- no default for it is skipped with a notice. Idempotent: applying it twice adds nothing.
set local timezone to 'UTC';

do $$
declare
  v_user constant uuid := 'dec0de00-0000-4000-8000-000000000001';
  v_shape jsonb := coach_internal.discover_shape();
  v_goal_column text := v_shape -> 'mapping' -> 'goal_pillar' ->> 'goal_column';
  v_goal_type text := v_shape -> 'mapping' -> 'goal_pillar' ->> 'goal_column_type';
  v_rating_type text := v_shape -> 'mapping' -> 'pillar_key' ->> 'rating_column_type';
  v_blocked jsonb;
begin
  -- Tables with a NOT NULL column that has no default and that this seed does not write.
  select coalesce(pg_catalog.jsonb_object_agg(t ->> 'table', c ->> 'name'), '{}'::jsonb) into v_blocked
  from pg_catalog.jsonb_array_elements(v_shape -> 'tables') as t,
       pg_catalog.jsonb_array_elements(t -> 'columns') as c
  where t ->> 'table' in ('public.pillar_ratings', 'public.user_goals')
    and (c ->> 'not_null')::boolean and not (c ->> 'has_default')::boolean
    and (t ->> 'table', c ->> 'name') not in (
      ('public.pillar_ratings', 'user_id'), ('public.pillar_ratings', 'pillar'),
      ('public.pillar_ratings', 'rating'), ('public.pillar_ratings', 'created_at'),
      ('public.user_goals', 'id'), ('public.user_goals', 'user_id'), ('public.user_goals', 'title'),
      ('public.user_goals', 'focus'), ('public.user_goals', 'is_active'), ('public.user_goals', v_goal_column));

  if v_blocked ? 'public.pillar_ratings' then
    raise notice 'demo seed: no ratings (public.pillar_ratings.% is NOT NULL without a default)', v_blocked ->> 'public.pillar_ratings';
  elsif not exists (select 1 from public.pillar_ratings r where r.user_id = v_user) then
    -- Two check-ins, two weeks apart, on the first four pillars in their order.
    execute pg_catalog.format(
      'insert into public.pillar_ratings (user_id, pillar, rating, created_at) '
      'select $1, p.pillar_key::%s, v.rating, now() - v.age '
      'from coach_internal.pillars p '
      'join (values (1, 58, interval ''14 days''), (2, 64, interval ''14 days''), (3, 70, interval ''14 days''), '
      '             (4, 49, interval ''14 days''), (1, 63, interval ''2 days''), (2, 68, interval ''2 days''), '
      '             (3, 72, interval ''2 days''), (4, 55, interval ''2 days'')) as v (position, rating, age) '
      'on v.position = p.position',
      v_rating_type)
    using v_user;
  end if;

  if v_blocked ? 'public.user_goals' then
    raise notice 'demo seed: no goals (public.user_goals.% is NOT NULL without a default)', v_blocked ->> 'public.user_goals';
  elsif exists (select 1 from coach_internal.pillars) then
    -- The health and connection pillars where they exist by key or name, else the first and the last.
    execute pg_catalog.format(
      'insert into public.user_goals (id, user_id, title, focus, is_active, %I) '
      'select g.id, $1, g.title, g.focus, true, ('
      '  select p.pillar_ref from coach_internal.pillars p'
      '  order by (p.pillar_key = g.pillar or pg_catalog.lower(p.display_name) = g.pillar) desc, p.position * g.direction'
      '  limit 1)::%s '
      'from (values '
      '  (''dec0de02-0000-4000-8000-000000000001''::uuid, ''health'', ''Stretch for ten minutes every morning'', ''Mobility before work'', 1), '
      '  (''dec0de02-0000-4000-8000-000000000002''::uuid, ''connection'', ''Screen-free dinners with family'', ''Phones away at the table'', -1)'
      ') as g (id, pillar, title, focus, direction) '
      'where not exists (select 1 from public.user_goals x where x.id = g.id)',
      v_goal_column, v_goal_type)
    using v_user;
  end if;
end
$$;
