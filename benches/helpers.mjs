// Learning on more than one core in the browser: a k-means step (k = 8,
// 10 restarts) and the elbow (k = 2…10) on the generated table, with the
// page's `?cores=1` (every job in the compute worker) and without it (the
// restarts and ks in helper workers, one per core the browser reports),
// alternated in the same Chromium run. The answers are checked equal (the
// result's CSV, the elbow's table). Prints medians and the speed-up;
// asserts nothing.
//
//   scripts/bench.sh ONLY=helpers   (builds, generates the data, runs this)
//
// HELPER_ROWS=N for another number of rows (default 200,000; the
// script generates that many).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { deflateRawSync } from "node:zlib";
import { chromium } from "playwright-core";
import { startServer } from "../scripts/static-server.mjs";
import { median } from "./common.mjs";

const dist = need("DATALABB_DIST");
const data = need("DATALABB_HELPERS_DATA");
const runs = Number(process.env.RUNS ?? 5);
const rows = Number(process.env.HELPER_ROWS ?? 200_000);

function need(name) {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run scripts/bench.sh ONLY=helpers`);
  return value;
}

const table = JSON.parse(readFileSync(join(data, "catalog.json"), "utf8")).datasets[0];
const features = { columns: ["value", "share", "year"], scale: "z_score" };
const recipe = {
  v: 1,
  inputs: [{ name: "t", dataset: table.id, sha256: table.versions.at(-1).sha256 }],
  steps: [
    { op: "filter", predicate: { op: "compare", column: "id", cmp: "le", value: rows } },
    { op: "cluster", features, method: { k_means: { k: 8, restarts: 10 } }, name: "cluster" },
    { op: "group_by", by: ["cluster"], measures: [{ name: "n", aggregate: "count" }, { name: "mean_value", aggregate: "mean", column: "value" }] },
  ],
};
const link = `r1.${deflateRawSync(Buffer.from(JSON.stringify(recipe))).toString("base64url")}`;

const { server, url } = await startServer({ mounts: { "/": dist, "/data/": data } });
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"],
});

/** Opens the analysis with `query`; the worker's time, the result's CSV, the elbow's time and table. */
async function once(query) {
  const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1200, height: 1000 } });
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  await page.goto(`${url}/?lang=en${query}#/analysis/${link}`);
  await page.waitForFunction(() => document.querySelector('[data-testid="result-status"]')?.dataset.runMs !== undefined, null, { timeout: 600_000, polling: 50 });
  const runMs = Number(await page.getByTestId("result-status").getAttribute("data-run-ms"));
  const [file] = await Promise.all([page.waitForEvent("download"), page.getByTestId("download-csv").click()]);
  const csv = readFileSync(await file.path(), "utf8");
  // The elbow of the cluster step: from the click to its table.
  const started = Date.now();
  await page.locator('[data-testid="step"][data-kind="cluster"] [data-testid="insight-choose-k"]').click();
  await page.locator('[data-testid="insight-table"] tbody tr').nth(8).waitFor({ timeout: 600_000 });
  const elbowMs = Date.now() - started;
  const elbow = await page.getByTestId("insight-table").innerText();
  if (errors.length) console.log("page errors:", errors);
  await context.close();
  return { runMs, csv, elbowMs, elbow };
}

try {
  const cores = await (await browser.newPage()).evaluate(() => navigator.hardwareConcurrency);
  console.log(`k-means (k = 8, 10 restarts) and the elbow (k = 2…10, 3 restarts each) of ${rows.toLocaleString("en")} rows × 3 features; the browser reports ${cores} cores; ${runs} runs each, alternated`);
  const times = { one: { run: [], elbow: [] }, all: { run: [], elbow: [] } };
  let first;
  for (let i = 0; i < runs; i++) {
    for (const [name, query] of [["one", "&cores=1"], ["all", ""]]) {
      const r = await once(query);
      times[name].run.push(r.runMs);
      times[name].elbow.push(r.elbowMs);
      first ??= r;
      if (r.csv !== first.csv || r.elbow !== first.elbow) console.log(`DIFFER: ${name} run ${i}`);
    }
  }
  for (const what of ["run", "elbow"]) {
    const one = median(times.one[what]);
    const all = median(times.all[what]);
    console.log(
      `${what === "run" ? "k-means step" : "elbow"}`.padEnd(14) +
        ` cores=1 ${one.toFixed(0).padStart(7)} ms   helpers ${all.toFixed(0).padStart(7)} ms   speed-up ${(one / all).toFixed(2)}×` +
        `   runs: ${times.one[what].map((x) => x.toFixed(0)).join(", ")} | ${times.all[what].map((x) => x.toFixed(0)).join(", ")}`,
    );
  }
} finally {
  await browser.close();
  server.close();
}
