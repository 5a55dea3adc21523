-- openai_usage_logs: one row per OpenAI response, for cost monitoring and per-user daily
-- budgets. The PRD's table with its foreign key fixed (Supabase has auth.users, not
-- users), plus usage by token kind (cached, cache write, reasoning), because prices differ
-- per kind and cost cannot be computed from total_tokens alone.
create table if not exists public.openai_usage_logs (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references auth.users (id) on delete cascade,
  thread_id text not null,
  message_id uuid references public.journal_ai_chats (id) on delete cascade,
  prompt_tokens integer not null,
  completion_tokens integer not null,
  total_tokens integer not null,
  cached_tokens integer not null default 0,
  cache_write_tokens integer not null default 0,
  reasoning_tokens integer not null default 0,
  model_used text not null,
  cost_estimate numeric(10, 6),
  response_time_ms integer,
  openai_response_id text,
  run_id uuid,
  variant text constraint openai_usage_logs_variant_check check (variant in ('openai', 'simulated')),
  chat_type text,
  assistant_type text,
  created_at timestamptz not null default now()
);

-- Today's usage per user (budgets), usage over time (dashboards), and the foreign keys.
create index if not exists openai_usage_logs_user_id_created_at_idx on public.openai_usage_logs (user_id, created_at);
create index if not exists openai_usage_logs_created_at_idx on public.openai_usage_logs (created_at);
create index if not exists openai_usage_logs_message_id_idx on public.openai_usage_logs (message_id);
create index if not exists openai_usage_logs_run_id_idx on public.openai_usage_logs (run_id);

alter table public.openai_usage_logs enable row level security;
revoke all on table public.openai_usage_logs from anon, authenticated;
grant select on table public.openai_usage_logs to authenticated;
drop policy if exists "Users can view their own usage" on public.openai_usage_logs;
create policy "Users can view their own usage" on public.openai_usage_logs
  for select to authenticated using ((select auth.uid()) = user_id);
