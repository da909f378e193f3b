/**
 * The coalescing under the extension's refreshes: RefreshManager debounces its reasons with a
 * ReasonDebouncer, ModelStore runs its reads through a CoalescedRun.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CoalescedRun, ReasonDebouncer } from '../../src/core/coalesce';

/** A unit of work the test finishes by hand, so "while one runs" is a fact, not a race. */
function controlledWork(): { readonly work: () => Promise<void>; readonly started: () => number; finish(): void } {
  const pending: (() => void)[] = [];
  let started = 0;
  return {
    work: () =>
      new Promise<void>((resolve) => {
        started++;
        pending.push(resolve);
      }),
    started: () => started,
    finish: () => {
      const next = pending.shift();
      assert.ok(next, 'finish() called with no run in progress');
      next();
    },
  };
}

/** Lets the promise chain inside CoalescedRun move on (no timers involved). */
const settle = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('CoalescedRun (ModelStore.refresh)', () => {
  it('runs once for a single call and resolves when that run has finished', async () => {
    const w = controlledWork();
    const runner = new CoalescedRun(w.work);
    let done = false;
    const p = runner.run().then(() => (done = true));
    await settle();
    assert.equal(w.started(), 1);
    assert.equal(done, false, 'resolved before the run finished');
    w.finish();
    await p;
    assert.equal(w.started(), 1, 'one call made more than one run');
  });

  it('calls made while a run is in progress make exactly one more run after it, not one each', async () => {
    const w = controlledWork();
    const runner = new CoalescedRun(w.work);
    const first = runner.run();
    await settle();
    const during = [runner.run(), runner.run(), runner.run(), runner.run(), runner.run()];
    await settle();
    assert.equal(w.started(), 1, 'a second run started while the first was still in progress');
    let resolved = 0;
    for (const p of during) void p.then(() => resolved++);
    w.finish();
    await settle();
    assert.equal(w.started(), 2, 'five calls during a run should make exactly one more run');
    assert.equal(resolved, 0, 'a call made during the first run resolved before the run that followed it finished');
    w.finish();
    await Promise.all([first, ...during]);
    assert.equal(w.started(), 2, 'more than one extra run for a burst of calls');
  });

  it('a call after everything has finished starts a fresh run', async () => {
    const w = controlledWork();
    const runner = new CoalescedRun(w.work);
    const p1 = runner.run();
    await settle();
    w.finish();
    await p1;
    const p2 = runner.run();
    await settle();
    assert.equal(w.started(), 2, 'a call after the runner went idle did not run the work');
    w.finish();
    await p2;
  });

  it('a call during the extra run makes one more after it', async () => {
    const w = controlledWork();
    const runner = new CoalescedRun(w.work);
    const p = runner.run();
    await settle();
    void runner.run();
    w.finish();
    await settle();
    assert.equal(w.started(), 2);
    void runner.run();
    void runner.run();
    w.finish();
    await settle();
    assert.equal(w.started(), 3, 'calls during the second run should make a third, once');
    w.finish();
    await p;
    assert.equal(w.started(), 3);
  });
});

describe('ReasonDebouncer (RefreshManager.request)', () => {
  const WINDOW_MS = 250;

  function debouncer(): { readonly d: ReasonDebouncer; readonly fired: (readonly string[])[] } {
    const fired: (readonly string[])[] = [];
    return { d: new ReasonDebouncer(WINDOW_MS, (reasons) => fired.push(reasons)), fired };
  }

  it('a burst of reasons within the window makes one refresh carrying every reason once', (t) => {
    t.mock.timers.enable({ apis: ['setTimeout'] });
    const { d, fired } = debouncer();
    for (const r of ['container start', 'service update', 'poll', 'container start', 'manual']) d.request(r);
    t.mock.timers.tick(WINDOW_MS - 1);
    assert.deepEqual(fired, [], 'fired before the window closed');
    t.mock.timers.tick(1);
    assert.deepEqual(fired, [['container start', 'service update', 'poll', 'manual']]);
    t.mock.timers.tick(10 * WINDOW_MS);
    assert.equal(fired.length, 1, 'one burst fired more than once');
  });

  it('later reasons do not push the window back, so a steady stream cannot starve the refresh', (t) => {
    t.mock.timers.enable({ apis: ['setTimeout'] });
    const { d, fired } = debouncer();
    d.request('event 0');
    for (let i = 1; i < 5; i++) {
      t.mock.timers.tick(WINDOW_MS / 5);
      d.request(`event ${i}`);
    }
    t.mock.timers.tick(WINDOW_MS / 5);
    assert.equal(fired.length, 1, `the stream kept the refresh from firing ${WINDOW_MS} ms after its first reason`);
    assert.deepEqual(fired[0], ['event 0', 'event 1', 'event 2', 'event 3', 'event 4']);
  });

  it('a reason after a refresh fired opens a new window', (t) => {
    t.mock.timers.enable({ apis: ['setTimeout'] });
    const { d, fired } = debouncer();
    d.request('a');
    t.mock.timers.tick(WINDOW_MS);
    d.request('b');
    d.request('c');
    t.mock.timers.tick(WINDOW_MS);
    assert.deepEqual(fired, [['a'], ['b', 'c']]);
  });

  it('after dispose nothing fires, neither the pending window nor new reasons', (t) => {
    t.mock.timers.enable({ apis: ['setTimeout'] });
    const { d, fired } = debouncer();
    d.request('pending');
    d.dispose();
    d.request('late');
    t.mock.timers.tick(10 * WINDOW_MS);
    assert.deepEqual(fired, []);
  });
});
