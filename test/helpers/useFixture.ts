// One fixture per test file or describe block: started in `before`, closed in `after`. The
// returned object forwards to the started fixture, so tests use it as if it were the fixture.
import { after, before } from 'node:test';

export function useFixture<T extends object>(start: () => Promise<T>, close: (fixture: T) => Promise<void>): T {
  let current: T | undefined;
  before(async () => {
    current = await start();
  });
  after(async () => {
    if (current) await close(current);
  });
  return new Proxy({} as T, {
    get(_target, prop) {
      if (!current) throw new Error('the fixture starts in before(): use it inside a test');
      const value: unknown = Reflect.get(current, prop);
      return typeof value === 'function' ? value.bind(current) : value;
    },
  });
}
