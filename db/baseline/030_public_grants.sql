-- Supabase's default privileges on `public`: every table, function and sequence the
-- creating role (`postgres`) makes there is granted to anon, authenticated and service_role.
-- So a new table is readable by anyone until RLS is enabled, and a new function is
-- executable by `anon` until its execute privilege is revoked.
grant usage on schema public to anon, authenticated, service_role;

alter default privileges in schema public grant all on tables to anon, authenticated, service_role;
alter default privileges in schema public grant all on functions to anon, authenticated, service_role;
alter default privileges in schema public grant all on sequences to anon, authenticated, service_role;
