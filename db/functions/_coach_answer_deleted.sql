-- The refusal for a turn whose stored exchange the user deleted (their message or its answer).
create or replace function public._coach_answer_deleted() returns jsonb
language sql immutable security invoker set search_path = '' set timezone to 'UTC'
as $$ select public._coach_refusal(410, 'answer_deleted', 'This message or its answer was deleted.') $$;
