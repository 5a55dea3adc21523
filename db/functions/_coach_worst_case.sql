-- The most a turn may cost, as its reservation: the input bound the chat computed (its
-- instructions, the largest context and the message; lambdas/chat/reservation.ts) plus what the
-- conversation already holds (p_history: the input and output tokens of its latest response),
-- at the worst input rate (cache write), plus max_output_tokens at the output rate, with the
-- model's long-context multipliers over its threshold. Rounded up to the micro-dollar.
create or replace function public._coach_worst_case(p_reserve jsonb, p_history int) returns jsonb
language sql immutable security invoker set search_path = '' set timezone to 'UTC'
as $$
  select pg_catalog.jsonb_build_object(
    'tokens', t.input + t.output,
    'cost_usd', (ceil(
      (t.input * (p_reserve ->> 'input_usd_per_mtok')::numeric
         * case when t.long then (p_reserve -> 'long_context' ->> 'input_multiplier')::numeric else 1 end
       + t.output * (p_reserve ->> 'output_usd_per_mtok')::numeric
         * case when t.long then (p_reserve -> 'long_context' ->> 'output_multiplier')::numeric else 1 end)
    ) / 1000000)::float8)
  from (
    select i.input, i.output, i.input > (p_reserve -> 'long_context' ->> 'above_input_tokens')::int as long
    from (
      select (p_reserve ->> 'input_tokens')::int + greatest(coalesce(p_history, 0), 0) as input,
             (p_reserve ->> 'output_tokens')::int as output
    ) as i
  ) as t
$$;
