-- No longer creates anything. This version created the coach functions from columns the PRD
-- never showed (profiles.display_name, pillars.name and sort_order, user_goals.pillar_id and
-- created_at, pillar_ratings.id), so on a database shaped as the PRD shows it, it failed at
-- creation (`column pr.display_name does not exist`). The file stays because its version is
-- in supabase_migrations.schema_migrations wherever it ran. The functions are now written in
-- db/functions/*.sql and created by 20261201…_coach_functions.sql, which first drops every
-- public coach function this version created, so every database ends with the same set.
select 1;
