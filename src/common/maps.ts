/** The value of `key` in `map` (a Map, or a map such as IdMap), made by `make` and stored first if there is none. */
export function getOrAdd<K, V>(map: { get(key: K): V | undefined; set(key: K, value: V): unknown }, key: K, make: () => V): V {
  let value = map.get(key);
  if (value === undefined) {
    value = make();
    map.set(key, value);
  }
  return value;
}

/** Key-value pairs (a map's entries) sorted by key, strings, numbers or bigints alike: a canonical order. */
export function sortedByKey<K extends string | number | bigint, V>(entries: Iterable<[K, V]>): Array<[K, V]> {
  return [...entries].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}
