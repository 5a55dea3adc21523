-- CoachContextData: the user's name (or null), the latest rating per pillar in the pillars'
-- order, active goals with their pillar's key and display name, the specific goal (only if it
-- is the user's), and the last p_limit user messages cut to 200 characters, newest first.
-- The app's own tables are read through the coach_internal views, which
-- coach_internal.refresh_adapter() builds from what it discovered in the catalog, so this
-- query is the same whatever columns a database names its profiles, pillars and goals by.
-- The same query serves coach_prepare_turn, coach_get_pending_run and coach_context_data.
-- plpgsql, not sql: a SQL function with SET clauses is planned again on every call, and this
-- query over the views costs more to plan than to run; plpgsql keeps its plan per session.
create or replace function public._coach_context(p_user uuid, p_goal uuid, p_limit int) returns jsonb
language plpgsql stable security invoker set search_path = '' set timezone to 'UTC'
as $$
begin
  return (
    select pg_catalog.jsonb_build_object(
      'display_name', (select n.display_name from coach_internal.profile_names n where n.user_id = p_user limit 1),
      'ratings', coalesce((
        select pg_catalog.jsonb_agg(
                 pg_catalog.jsonb_build_object(
                   'pillar', lr.pillar,
                   'pillar_display_name', coalesce(lr.pillar_display_name, lr.pillar),
                   'rating', lr.rating,
                   'rated_at', public._coach_iso(lr.rated_at))
                 order by lr.pillar_position nulls last, lr.pillar)
        from (
          select distinct on (r.pillar) r.pillar, r.pillar_display_name, r.pillar_position, r.rating, r.rated_at
          from coach_internal.ratings r
          where r.user_id = p_user
          order by r.pillar, r.rated_at desc nulls last, r.row_ref desc
        ) as lr
      ), '[]'::jsonb),
      'goals', coalesce((
        select pg_catalog.jsonb_agg(
                 pg_catalog.jsonb_build_object(
                   'id', g.id, 'title', g.title, 'focus', g.focus,
                   'pillar', g.pillar, 'pillar_display_name', g.pillar_display_name)
                 order by g.created_at nulls last, g.id)
        from coach_internal.goals g
        where g.user_id = p_user and g.is_active
      ), '[]'::jsonb),
      'goal', (
        select pg_catalog.jsonb_build_object(
                 'id', g.id, 'title', g.title, 'focus', g.focus,
                 'pillar', g.pillar, 'pillar_display_name', g.pillar_display_name)
        from coach_internal.goals g
        where g.id = p_goal and g.user_id = p_user
        limit 1
      ),
      'recent_messages', coalesce((
        select pg_catalog.jsonb_agg(
                 pg_catalog.jsonb_build_object(
                   'message', pg_catalog.left(m.message, 200),
                   'chat_type', m.chat_type,
                   'created_at', public._coach_iso(m.created_at))
                 order by m.created_at desc nulls last, m.id)
        from (
          select c.id, c.message, c.chat_type, c.created_at
          from public.journal_ai_chats c
          where c.user_id = p_user and c.message_type = 'user'
          order by c.created_at desc nulls last, c.id
          limit greatest(least(coalesce(p_limit, 5), 50), 0)
        ) as m
      ), '[]'::jsonb)
    )
  );
end
$$;
