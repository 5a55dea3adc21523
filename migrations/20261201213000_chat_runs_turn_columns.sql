-- chat_runs: the turn stored once by its claim, and the money it may still cost. The claim
-- (coach_prepare_turn) now writes what the turn is (identity, the user's row, the cohort and
-- why its variant was chosen) and reserves the turn's worst case (reserved_tokens,
-- reserved_cost_usd) against the user's and the global daily limits; the reservation counts
-- while reservation_open and is settled (closed) when the turn is recorded, failed or
-- released, the usage log then holding the real cost. answered_at says an AI row (answer or
-- fallback) was stored, so an answer the user deleted still reads as answered, never as a
-- message to answer (and pay for) again. Existing rows: nothing reserved, answered_at from
-- their AI row.
alter table public.chat_runs
  add column if not exists cohort text,
  add column if not exists rollout_reason text,
  add column if not exists reserved_tokens integer not null default 0,
  add column if not exists reserved_cost_usd numeric(12, 6) not null default 0,
  add column if not exists reservation_open boolean not null default false,
  add column if not exists answered_at timestamptz;

update public.chat_runs r
set answered_at = coalesce(r.completed_at, r.updated_at)
where r.answered_at is null and (r.ai_message_id is not null or r.status = 'completed');

-- The per-user limits count a user's turns of the last minute and of the day.
create index if not exists chat_runs_user_id_created_at_idx on public.chat_runs (user_id, created_at);
-- One turn at a time per thread: a user's turns still being answered, per coach.
create index if not exists chat_runs_live_turns_idx
  on public.chat_runs (user_id, assistant_type) where status in ('in_flight', 'pending');
-- The open reservations of the day, a user's and everyone's (the global budget).
create index if not exists chat_runs_open_reservations_idx
  on public.chat_runs (claimed_at) where reservation_open;
