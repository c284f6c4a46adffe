// What the browser benchmarks share.

/** The median of `xs` (the mean of the middle two for an even count). */
export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** Environment variable `name`, which scripts/bench.sh sets. */
export function need(name) {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run scripts/bench.sh`);
  return value;
}
