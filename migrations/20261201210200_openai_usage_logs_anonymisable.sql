-- openai_usage_logs outlive the user's AI data: an erasure (docs/safety.md) keeps each
-- row's tokens, model and cost for cost accounting and removes who and what it was about
-- (user_id, thread_id, message_id, run_id and openai_response_id set to null). So user_id
-- and thread_id become nullable, and deleting the auth user sets user_id to null instead of
-- deleting the usage. The foreign key is replaced only while it still cascades, so
-- re-running this file changes nothing.
alter table public.openai_usage_logs alter column user_id drop not null;
alter table public.openai_usage_logs alter column thread_id drop not null;

do $$
begin
  if exists (
    select 1 from pg_catalog.pg_constraint c
    where c.conrelid = 'public.openai_usage_logs'::regclass and c.conname = 'openai_usage_logs_user_id_fkey'
      and c.confdeltype <> 'n'
  ) then
    alter table public.openai_usage_logs drop constraint openai_usage_logs_user_id_fkey;
  end if;
  if not exists (
    select 1 from pg_catalog.pg_constraint c
    where c.conrelid = 'public.openai_usage_logs'::regclass and c.conname = 'openai_usage_logs_user_id_fkey'
  ) then
    alter table public.openai_usage_logs
      add constraint openai_usage_logs_user_id_fkey foreign key (user_id) references auth.users (id) on delete set null;
  end if;
end
$$;
