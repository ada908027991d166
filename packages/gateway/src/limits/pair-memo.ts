/**
 * A memo of values made from two keys, for the few pairs the request path asks for on every
 * request. Bounded: once it holds `max` values it is emptied and starts over, so a flood of new
 * keys (limits that keep changing, scopes of many keys) costs no more than `max` entries.
 * @module
 */
export function pairMemo<A, B, V extends NonNullable<unknown>>(max: number, make: (a: A, b: B) => V): (a: A, b: B) => V {
  const byFirst = new Map<A, Map<B, V>>();
  let count = 0;
  return (a, b) => {
    let bySecond = byFirst.get(a);
    const hit = bySecond?.get(b);
    if (hit !== undefined) return hit;
    if (count >= max) {
      byFirst.clear();
      count = 0;
      bySecond = undefined;
    }
    if (!bySecond) byFirst.set(a, (bySecond = new Map()));
    const value = make(a, b);
    bySecond.set(b, value);
    count++;
    return value;
  };
}
