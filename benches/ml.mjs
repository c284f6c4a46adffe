// Learning benchmark in headless Chromium: the workload of
// `cargo bench --bench ml` (k-means on 1,000,000 × 8 values, k = 8, the
// k-means++ start and 10 Lloyd iterations from it timed apart; DBSCAN on
// 100,000 two-dimensional points; the silhouette of 10,000 rows; t-SNE of
// 1,000 rows; the isolation forest's scores of 100,000 rows × 8; the
// autoencoder on 10,000 rows × 16 for 50 epochs; UMAP of 10,000 rows), compiled
// to wasm as the worker is (examples/ml_web.rs), each call timed here.
// The same-run baseline is one pass summing the 1,000,000 × 8 values.
//
//   scripts/bench.sh ONLY=ml   (builds the module, runs this)
//   QUICK=1: the baseline, k-means and DBSCAN only
//
// Prints medians; asserts nothing.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { startServer } from "../scripts/static-server.mjs";
import { median } from "./common.mjs";

const dir = process.env.DATALABB_ML_WEB;
if (!dir) throw new Error("DATALABB_ML_WEB is not set: run scripts/bench.sh ONLY=ml");
const runs = Number(process.env.RUNS ?? 5);
writeFileSync(join(dir, "index.html"), `<!doctype html><meta charset="utf-8"><title>ml bench</title>
<script type="module">
  import init, * as ml from "./ml_web.js";
  await init();
  window.ml = ml;
  window.ready = true;
</script>`);

const { server, url } = await startServer({ mounts: { "/": dir } });
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"],
});
const page = await browser.newPage();
await page.goto(`${url}/index.html`);
await page.waitForFunction(() => window.ready === true, null, { timeout: 60_000 });
await page.evaluate(() => window.ml.prepare());

const all = [
  ["baseline: one pass summing 1,000,000 × 8 values", "baseline"],
  ["k-means++ start, 1,000,000 × 8, k = 8", "kmeans_start"],
  ["k-means, 10 Lloyd iterations, 1,000,000 × 8, k = 8 (target 1 s)", "kmeans_lloyd"],
  ["DBSCAN, 100,000 × 2, eps 0.3, min points 5 (target 1 s)", "dbscan_run"],
  ["silhouette, 10,000 rows × 8", "silhouette_run"],
  ["t-SNE, 1,000 rows × 8 into 2 dimensions, 750 iterations", "tsne_run"],
  ["isolation forest, 100,000 × 8, 100 trees of 256 rows", "iforest_run"],
  ["autoencoder, 10,000 × 16, 16-2-16 tanh, 50 epochs", "autoencoder_run"],
  ["UMAP, 10,000 × 8, 15 neighbours, 500 epochs", "umap_run"],
];
const rows = process.env.QUICK ? all.slice(0, 4) : all;
const times = rows.map(() => []);
let iterations = null;
for (let r = 0; r < runs; r++) {
  for (const [i, [, fn]] of rows.entries()) {
    const { ms, value } = await page.evaluate((fn) => {
      const t = performance.now();
      const value = window.ml[fn]();
      return { ms: performance.now() - t, value };
    }, fn);
    times[i].push(ms);
    if (fn === "kmeans_lloyd") iterations = value;
  }
}
const base = median(times[0]);
console.log(`browser (${await browser.version()}), ${runs} runs; k-means ran ${iterations} of its 10 iterations:`);
for (const [i, [name]] of rows.entries()) {
  const m = median(times[i]);
  console.log(`${name.padEnd(66)} median ${m.toFixed(1).padStart(8)} ms  ${(m / base).toFixed(1).padStart(6)}× baseline   runs: ${times[i].map((t) => t.toFixed(0)).join(", ")}`);
}
await browser.close();
server.close();
