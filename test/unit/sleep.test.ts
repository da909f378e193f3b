/**
 * A cancel ends a wait at once (lifecycle.ts `sleep` and `pollUntil`): the waits are ten minutes
 * long, and the test's bound (a race with a much shorter timer) is what a wait that ignored the
 * cancel would run into.
 */
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { CancelledError } from '../../src/core/errors';
import { type CancellationToken, pollUntil, sleep, tokenFromSignal } from '../../src/core/lifecycle';

const LONG_MS = 10 * 60_000;
/** How long the test waits for the cancelled wait to end before saying it did not. */
const BOUND_MS = 20_000;

function stillWaiting(): { readonly promise: Promise<'still waiting'>; readonly stop: AbortController } {
  const stop = new AbortController();
  return { promise: delay(BOUND_MS, 'still waiting' as const, { signal: stop.signal }).catch(() => 'still waiting' as const), stop };
}

async function outcome<T>(wait: Promise<T>): Promise<T | 'still waiting'> {
  const bound = stillWaiting();
  try {
    return await Promise.race([wait, bound.promise]);
  } finally {
    bound.stop.abort();
  }
}

describe('waits end when cancelled', () => {
  it('sleep ends early when its token is cancelled', async () => {
    const cancel = new AbortController();
    const token: CancellationToken = tokenFromSignal(cancel.signal);
    const waiting = sleep(LONG_MS, token).then(() => 'ended' as const);
    setImmediate(() => cancel.abort());
    assert.equal(await outcome(waiting), 'ended', 'the sleep went on after its token was cancelled');
  });

  it('sleep returns at once with a token already cancelled, and sleeps without one', async () => {
    const cancel = new AbortController();
    cancel.abort();
    assert.equal(await outcome(sleep(LONG_MS, tokenFromSignal(cancel.signal)).then(() => 'ended' as const)), 'ended');
    await sleep(1);
  });

  it('pollUntil throws its CancelledError as soon as the token is cancelled, not after the interval', async () => {
    const cancel = new AbortController();
    let checks = 0;
    const polling = pollUntil(
      () => {
        checks++;
        if (checks === 1) setImmediate(() => cancel.abort());
        return Promise.resolve('not yet');
      },
      { deadline: Date.now() + LONG_MS * 2, intervalMs: LONG_MS, token: tokenFromSignal(cancel.signal), timeout: (m) => `timed out: ${m}`, cancelled: 'poll cancelled' },
    ).then(
      () => 'resolved' as const,
      (err: unknown) => err,
    );
    const result = await outcome(polling);
    assert.ok(result instanceof CancelledError, `expected the CancelledError, got ${String(result)}`);
    assert.equal(result.message, 'poll cancelled');
    assert.equal(checks, 1);
  });
});
