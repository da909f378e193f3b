/**
 * The slot mover's scheduler (src/core/ops/mover/scheduler.ts): the slots-in-flight budget is a
 * hard bound on slots open at once, however the workers' steps interleave, and no worker waits
 * for permits it would have to give back itself.
 */
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { runWindows, SlotBudget } from '../../src/core/ops/mover/scheduler';

/** A step that takes `turns` turns of the event loop (a stand-in for round trips of varied length). */
async function turns(n: number): Promise<void> {
  for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r));
}

interface FakeWindow {
  readonly id: number;
  readonly slots: number;
}

/** Runs `total` slots through runWindows in windows of `windowSize`; returns the most slots ever open at once. */
async function maxOpen(total: number, windowSize: number, budgetSize: number, workers: number): Promise<{ maxOpen: number; finished: number }> {
  const budget = new SlotBudget(budgetSize);
  let left = total;
  let open = 0;
  let most = 0;
  let finished = 0;
  let id = 0;
  await runWindows<FakeWindow>(workers, {
    next: async () => {
      const wanted = Math.min(windowSize, left);
      if (wanted === 0 || !(await budget.take(wanted))) return undefined;
      const slots = Math.min(wanted, left);
      left -= slots;
      budget.give(wanted - slots);
      return slots === 0 ? undefined : { id: id++, slots };
    },
    prepare: async (w) => {
      open += w.slots; // IMPORTING set: the slots are open
      most = Math.max(most, open);
      await turns(1 + (w.id % 3));
    },
    copy: async (w) => turns(2 + (w.id % 5)),
    finish: async (w) => {
      // The slots settle one by one, each giving its permit back.
      for (let s = 0; s < w.slots; s++) {
        await turns(1 + ((w.id + s) % 4));
        open--;
        finished++;
        budget.give(1);
      }
    },
  });
  return { maxOpen: most, finished };
}

describe('the slot mover scheduler', () => {
  it('never has more slots open than the slots-in-flight budget, and moves every slot', async () => {
    for (const [budgetSize, workers] of [
      [16, 2],
      [7, 2],
      [128, 2],
      [4, 3],
    ] as const) {
      const windowSize = Math.max(1, Math.ceil(budgetSize / (2 * workers)));
      const r = await maxOpen(500, windowSize, budgetSize, workers);
      assert.equal(r.finished, 500, `budget ${budgetSize}: every slot was finished`);
      assert.ok(r.maxOpen <= budgetSize, `budget ${budgetSize}: at most ${budgetSize} slots open at once, saw ${r.maxOpen}`);
    }
  });

  it('finishes when one window takes the whole budget (a waiting worker never holds what it waits for)', async () => {
    const r = await maxOpen(100, 8, 8, 2);
    assert.equal(r.finished, 100);
    assert.ok(r.maxOpen <= 8, `at most 8 open, saw ${r.maxOpen}`);
  });
});

describe('SlotBudget', () => {
  it('serves waiters first come, first served, and wakes them with false when closed', async () => {
    const b = new SlotBudget(4);
    assert.equal(await b.take(3), true);
    const order: string[] = [];
    const big = b.take(4).then((ok) => order.push(`big:${ok}`));
    // A small request behind a big one waits its turn, though it would fit now.
    const small = b.take(1).then((ok) => order.push(`small:${ok}`));
    await turns(2);
    assert.deepEqual(order, [], 'both wait while 3 of 4 permits are taken');
    b.give(3);
    await big;
    assert.deepEqual(order, ['big:true']);
    assert.equal(b.inUse, 4);
    b.close();
    await small;
    assert.deepEqual(order, ['big:true', 'small:false']);
    assert.equal(await b.take(1), false, 'a closed budget gives no more permits');
  });

  it('refuses a request larger than the whole budget instead of waiting forever', async () => {
    await assert.rejects(new SlotBudget(2).take(3), RangeError);
  });
});
