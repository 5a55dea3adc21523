-- Indexes for the coach's context query on the app's existing tables: the latest rating per
-- pillar of a user (distinct on pillar, newest first) and a user's active goals, on columns
-- the PRD names. Additive only. (This file also indexed user_goals.pillar_id, a column the
-- PRD does not name; that index now comes from coach_internal.refresh_adapter(), on whichever
-- column the foreign key from user_goals to pillars is.)
create index if not exists pillar_ratings_user_id_pillar_created_at_idx
  on public.pillar_ratings (user_id, pillar, created_at desc);
create index if not exists user_goals_user_id_is_active_idx on public.user_goals (user_id, is_active);
