-- Indexes for the coach's context query on the app's existing tables: the latest rating per
-- pillar of a user (distinct on pillar, newest first), a user's active goals, and the
-- user_goals.pillar_id foreign key, which had no index. Additive only.
create index if not exists pillar_ratings_user_id_pillar_created_at_idx
  on public.pillar_ratings (user_id, pillar, created_at desc);
create index if not exists user_goals_user_id_is_active_idx on public.user_goals (user_id, is_active);
create index if not exists user_goals_pillar_id_idx on public.user_goals (pillar_id);
