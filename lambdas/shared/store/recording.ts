/** The recording functions chat and the poller share, bound to the store. */
import type { ExchangeRecorder } from '../ports';
import type { StoreCall } from './transport';

export function exchangeRecorder(call: StoreCall): ExchangeRecorder {
  return {
    recordExchange: (input, options) => call('coach_record_exchange', input, options),
    failRun: (input, options) => call('coach_fail_run', input, options),
  };
}
