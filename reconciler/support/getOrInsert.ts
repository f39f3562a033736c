// Map.prototype.getOrInsertComputed (a TC39 proposal, not yet in Node.js 24) as a function.
export function getOrInsert<K, V>(map: Map<K, V>, key: K, make: () => V): V {
  let v = map.get(key);
  if (v === undefined) {
    v = make();
    map.set(key, v);
  }
  return v;
}
