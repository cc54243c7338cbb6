/**
 * JSON that round-trips bigint values: a bigint is written as {"$bigint":"123"} and read back as 123n.
 * Used for replicated commands and stored metadata, where IDs and timestamps exceed 2^53.
 */
export function stringify(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? { $bigint: v.toString() } : v));
}

export function parse<T>(text: string): T {
  return JSON.parse(text, (_key, v: unknown) => {
    if (typeof v === 'object' && v !== null && !Array.isArray(v)) {
      const keys = Object.keys(v);
      const raw = (v as Record<string, unknown>)['$bigint'];
      if (keys.length === 1 && typeof raw === 'string') return BigInt(raw);
    }
    return v;
  }) as T;
}
