// Map.prototype.getOrInsertComputed (a TC39 proposal, not yet in Node.js 24) as a function, for
// a Map or a WeakMap.
export function getOrInsert<K, V>(map: { get(key: K): V | undefined; set(key: K, value: V): unknown }, key: K, make: () => V): V {
  let v = map.get(key);
  if (v === undefined) {
    v = make();
    map.set(key, v);
  }
  return v;
}
