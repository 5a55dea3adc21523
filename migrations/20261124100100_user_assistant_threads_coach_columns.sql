-- user_assistant_threads: the PRD's columns (openai_assistant_id now records the coach
-- profile as `profile@version`, token and cost totals) plus legacy_thread_ids, where a
-- thread's previous ids are kept when duplicates are merged or a locally generated id is
-- replaced by an OpenAI conversation id, so ids the app still holds keep resolving.
alter table public.user_assistant_threads
  add column if not exists openai_assistant_id text,
  add column if not exists total_tokens_used integer default 0,
  add column if not exists last_cost_estimate numeric(10, 6) default 0,
  add column if not exists legacy_thread_ids text[] not null default '{}',
  add column if not exists updated_at timestamptz not null default now();
