import { settle, type VirtualTime } from '../../sim/virtualTime.ts';

/** Runs a call to its end in virtual time: settles, then steps the clock to the next timer, until it is done. */
export function virtualRun(vt: VirtualTime): <T>(p: Promise<T>) => Promise<T> {
  return async <T>(p: Promise<T>): Promise<T> => {
    let out: { v: T } | { e: unknown } | undefined;
    p.then(
      (v) => (out = { v }),
      (e) => (out = { e }),
    );
    while (!out) {
      await settle();
      if (!out) vt.step(Infinity);
    }
    if ('e' in out) throw out.e;
    return out.v;
  };
}
