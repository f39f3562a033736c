// The loop is the unit here: passes are fake functions, time is node:test's mock timers.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { ReconcileLoop, type LoopOptions } from '../../reconciler/loop/reconcileLoop.ts';
import { createLogger } from '../../reconciler/support/logger.ts';
import { AzdoThrottledError } from '../../reconciler/errors/azdoErrors.ts';
import { GitPushRetriesExhaustedError } from '../../reconciler/errors/gitErrors.ts';

const INTERVAL = 1000;
const DEBOUNCE = 50;

/** Lets settled promises run their continuations (setImmediate is not mocked). */
async function flush(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise<void>((r) => setImmediate(r));
}

interface Harness {
  loop: ReconcileLoop;
  reasons: string[];
  logs: Record<string, unknown>[];
  /** Advances mock time and lets the passes it started settle. */
  advance(ms: number): Promise<void>;
}

function harness(t: TestContext, over: Partial<LoopOptions> & { pass?: LoopOptions['pass'] } = {}): Harness {
  // Date too: the loop measures the interval from a pass's start with Date.now.
  t.mock.timers.enable({ apis: ['setTimeout', 'Date'] });
  const reasons: string[] = [];
  const logs: Record<string, unknown>[] = [];
  const loop = new ReconcileLoop({
    intervalMs: INTERVAL,
    debounceMs: DEBOUNCE,
    canRun: () => true,
    log: createLogger({ level: 'debug', write: (l) => logs.push(JSON.parse(l) as Record<string, unknown>) }),
    ...over,
    pass: async (reason) => {
      reasons.push(reason);
      await over.pass?.(reason);
    },
  });
  t.after(() => loop.stop());
  return {
    loop, reasons, logs,
    async advance(ms) {
      await flush();
      t.mock.timers.tick(ms);
      await flush();
    },
  };
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

test('start runs a pass at once, then one per interval', async (t) => {
  const h = harness(t);
  h.loop.start();
  await h.advance(0);
  assert.deepEqual(h.reasons, ['start']);
  await h.advance(INTERVAL - 1);
  assert.equal(h.reasons.length, 1);
  await h.advance(1);
  assert.deepEqual(h.reasons, ['start', 'interval']);
  await h.advance(INTERVAL);
  assert.deepEqual(h.reasons, ['start', 'interval', 'interval']);
});

test('a trigger runs a pass after the debounce, not the interval', async (t) => {
  const h = harness(t);
  h.loop.start();
  await h.advance(0);
  h.loop.trigger('pod finished');
  await h.advance(DEBOUNCE);
  assert.deepEqual(h.reasons, ['start', 'pod finished']);
});

test('a burst of triggers coalesces into one pass', async (t) => {
  const h = harness(t);
  h.loop.start();
  await h.advance(0);
  for (let i = 0; i < 10; i++) h.loop.trigger(`pod ${i}`);
  await h.advance(DEBOUNCE);
  await h.advance(DEBOUNCE);
  assert.deepEqual(h.reasons, ['start', 'pod 9']);
});

test('only one pass runs at a time', async (t) => {
  let active = 0;
  let maxActive = 0;
  const gates: Array<() => void> = [];
  const h = harness(t, {
    pass: async () => {
      active++;
      maxActive = Math.max(maxActive, active);
      const d = deferred();
      gates.push(d.resolve);
      await d.promise;
      active--;
    },
  });
  h.loop.start();
  await h.advance(0);
  h.loop.trigger('a');
  await h.advance(INTERVAL * 3);
  assert.equal(h.reasons.length, 1, 'no pass starts while one runs');
  gates.shift()!();
  await h.advance(0);
  gates.shift()?.();
  await h.advance(0);
  assert.equal(maxActive, 1);
});

test('triggers during a pass run exactly one more pass right after it', async (t) => {
  const gate = deferred();
  let first = true;
  const h = harness(t, {
    pass: async () => {
      if (first) {
        first = false;
        await gate.promise;
      }
    },
  });
  h.loop.start();
  await h.advance(0);
  h.loop.trigger('pod a');
  h.loop.trigger('pod b');
  h.loop.trigger('pod c');
  gate.resolve();
  await h.advance(0);
  assert.deepEqual(h.reasons, ['start', 'pod a']);
  await h.advance(INTERVAL - 1);
  assert.equal(h.reasons.length, 2, 'then back to the interval');
  await h.advance(1);
  assert.deepEqual(h.reasons, ['start', 'pod a', 'interval']);
});

test('canRun=false skips passes but keeps the schedule; they resume when it turns true', async (t) => {
  let leader = false;
  const h = harness(t, { canRun: () => leader });
  h.loop.start();
  await h.advance(0);
  await h.advance(INTERVAL);
  h.loop.trigger('pod');
  await h.advance(DEBOUNCE);
  assert.deepEqual(h.reasons, []);
  leader = true;
  await h.advance(INTERVAL);
  assert.deepEqual(h.reasons, ['interval']);
});

test('a failed pass is logged with the count and retried within one interval, however many failed', async (t) => {
  let fail = true;
  const h = harness(t, {
    pass: async () => {
      if (fail) throw new Error('git unreachable');
    },
  });
  h.loop.start();
  await h.advance(0);
  assert.equal(h.reasons.length, 1);
  assert.equal((h.loop.lastError as Error).message, 'git unreachable');
  assert.equal(h.loop.lastSuccess, undefined);
  const log = h.logs.find((l) => l.level === 'error');
  assert.equal(log?.error, 'git unreachable');
  assert.equal(log?.kind, 'Error');
  assert.equal(log?.consecutiveFailures, 1);
  for (let n = 2; n <= 6; n++) {
    await h.advance(INTERVAL * 0.8 - 1);
    assert.equal(h.reasons.length, n - 1, 'not before 80% of the interval');
    await h.advance(INTERVAL * 0.2 + 1);
    assert.equal(h.reasons.length, n, 'retried within one interval');
  }
  assert.equal(h.logs.filter((l) => l.level === 'error').at(-1)?.consecutiveFailures, 6);
  // The outage ends: the next pass, within one interval, succeeds.
  fail = false;
  await h.advance(INTERVAL);
  assert.equal(h.reasons.length, 7);
  assert.equal(h.loop.lastError, undefined);
  assert.ok((h.loop.lastSuccess as Date | undefined) instanceof Date);
  await h.advance(INTERVAL);
  assert.equal(h.reasons.length, 8);
});

test('a pass that lost every push to another writer re-derives at once and is not a failure', async (t) => {
  let lose = true;
  const h = harness(t, {
    pass: async () => {
      if (lose) throw new GitPushRetriesExhaustedError('https://git.example/repo', 'main', 5);
    },
  });
  h.loop.start();
  await h.advance(0);
  lose = false;
  await h.advance(INTERVAL / 4 + 1);
  assert.equal(h.reasons.length, 2, 'the next pass started within a quarter of the interval');
  assert.equal(h.loop.lastError, undefined);
  assert.equal(h.logs.filter((l) => l.level === 'error').length, 0);
  assert.match(String(h.logs.find((l) => l.level === 'warn')?.msg), /another writer/);
});

test('a throttled pass waits Retry-After', async (t) => {
  let throttled = true;
  const h = harness(t, {
    pass: async () => {
      if (throttled) {
        throttled = false;
        throw new AzdoThrottledError('list agents', 30);
      }
    },
  });
  h.loop.start();
  await h.advance(0);
  await h.advance(29_999);
  assert.equal(h.reasons.length, 1);
  await h.advance(1);
  assert.equal(h.reasons.length, 2);
});

test('a trigger during a failing pass does not skip the backoff', async (t) => {
  const gate = deferred();
  const h = harness(t, {
    pass: async () => {
      await gate.promise;
      throw new Error('down');
    },
  });
  h.loop.start();
  await h.advance(0);
  h.loop.trigger('pod');
  gate.resolve();
  await h.advance(0);
  await h.advance(INTERVAL * 0.8 - 1);
  assert.equal(h.reasons.length, 1);
});

test('stop waits for the running pass and no pass runs after it', async (t) => {
  const gate = deferred();
  let finished = false;
  const h = harness(t, {
    pass: async () => {
      await gate.promise;
      finished = true;
    },
  });
  h.loop.start();
  await h.advance(0);
  const stopped = h.loop.stop();
  gate.resolve();
  await stopped;
  assert.equal(finished, true);
  h.loop.trigger('late');
  await h.advance(INTERVAL * 10);
  assert.deepEqual(h.reasons, ['start']);
});

test('triggers before start are ignored', async (t) => {
  const h = harness(t);
  h.loop.trigger('early');
  await h.advance(INTERVAL);
  assert.deepEqual(h.reasons, []);
});

test('the poll interval counts from the start of a pass: a slow pass does not stretch the period', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 0 });
  const starts: number[] = [];
  const loop = new ReconcileLoop({
    intervalMs: INTERVAL,
    debounceMs: DEBOUNCE,
    canRun: () => true,
    log: createLogger({ level: 'error', write: () => {} }),
    pass: async () => {
      starts.push(Date.now());
      await new Promise<void>((r) => setTimeout(r, 400)); // the pass itself takes 400 ms
    },
  });
  t.after(() => loop.stop());
  loop.start();
  for (let elapsed = 0; elapsed < 2500; elapsed += 100) {
    await flush();
    t.mock.timers.tick(100);
    await flush();
  }
  assert.equal(starts.length, 3);
  assert.deepEqual([starts[1]! - starts[0]!, starts[2]! - starts[1]!], [1000, 1000], 'one pass per interval, start to start');
  await loop.stop(); // the third pass has ended; nothing is waiting on a timer
});
