// The compute worker's wasm memory, for the browser benchmarks.

/** The compute worker's wasm memory in bytes, which the worker sets as
 * its global `datalabbMemoryBytes` before each answer; NaN when no worker
 * of `page` has it. A wasm memory only grows, so this is the most the
 * worker has held since it started. */
export async function workerMemory(page) {
  for (const worker of page.workers()) {
    const bytes = await worker.evaluate(() => self.datalabbMemoryBytes).catch(() => undefined);
    if (typeof bytes === "number") return bytes;
  }
  return NaN;
}
