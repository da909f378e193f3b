/**
 * The CLI's progress for the operation verbs (src/cli/progress.ts): steps come as text, the
 * slot mover's counters as typed events. A step is never taken for a counter by its wording.
 */
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { opsProgress } from '../../src/cli/progress';
import { type MoveProgress } from '../../src/core/ops/mover';

function output(isTTY: boolean): NodeJS.WritableStream & { isTTY: boolean; text: () => string } {
  const chunks: string[] = [];
  const out = { isTTY, write: (s: string) => chunks.push(s) > 0, text: () => chunks.join('') };
  return out as unknown as NodeJS.WritableStream & { isTTY: boolean; text: () => string };
}

const counters = (slotsDone: number): MoveProgress => ({ slotsDone, slotsTotal: 10, keysMoved: slotsDone * 100, keysPerSecond: 500, elapsedMs: 1000 });

describe('the operation verbs’ progress', () => {
  it('prints a step that begins with "moved" as a step, not as a counter line', () => {
    const out = output(true);
    const p = opsProgress(out);
    p.report({ message: 'moved slot 7 back to its owner' });
    p.end();
    assert.equal(out.text(), '>>> moved slot 7 back to its owner\n');
  });

  it('redraws the mover’s counters on one terminal line, and ends it before the next step', () => {
    const out = output(true);
    const p = opsProgress(out);
    p.moves(counters(1));
    p.moves(counters(2));
    p.report({ message: 'checking the cluster' });
    p.end();
    assert.equal(
      out.text(),
      '\rmoved 1/10 slots, 100 keys, 500 keys/s\x1b[K\rmoved 2/10 slots, 200 keys, 500 keys/s\x1b[K\n>>> checking the cluster\n',
    );
  });

  it('writes counters to a log as whole lines', () => {
    const out = output(false);
    const p = opsProgress(out);
    p.moves(counters(1));
    p.end();
    assert.equal(out.text(), 'moved 1/10 slots, 100 keys, 500 keys/s\n');
  });
});
