-- journal_ai_chats: the columns the coach backend writes on each row. The PRD's
-- (openai_thread_id, tokens_used, model_used, response_time_ms) plus the idempotency key,
-- which coach answered (variant, fallback), the OpenAI response id and the cost.
-- Existing rows are untouched: every new column is nullable or has a default. The run_id
-- column is added with chat_runs (20261124100300), which it references.
alter table public.journal_ai_chats
  add column if not exists openai_thread_id text,
  add column if not exists tokens_used integer,
  add column if not exists model_used text,
  add column if not exists response_time_ms integer,
  add column if not exists client_message_id text,
  add column if not exists variant text constraint journal_ai_chats_variant_check check (variant in ('openai', 'simulated')),
  add column if not exists fallback boolean not null default false,
  add column if not exists openai_response_id text,
  add column if not exists cost_estimate numeric(12, 6);

-- The chat screen and the context read a user's latest messages; goal_id is looked up per goal.
create index if not exists journal_ai_chats_user_id_created_at_idx on public.journal_ai_chats (user_id, created_at desc);
create index if not exists journal_ai_chats_goal_id_idx on public.journal_ai_chats (goal_id);
