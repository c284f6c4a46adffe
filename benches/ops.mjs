// Join and group-by benchmark in the browser: the analyses that
// `datalabb generate --star` writes to benchmarks.json, run by the lab's
// worker in headless Chromium, beside the same-run baseline analysis (one
// pass over the fact table's value column). The same analyses run natively
// in benches/ops.rs.
//
//   scripts/bench.sh            (builds, generates the data, runs this)
//
// A fact table of 10,000,000 rows (region, year, value) and a dimension
// table of 150,000 rows (region, year, weight): the join (on region and
// year, then sum(value × weight) and count) and the group-by ((region,
// year) into count and sum(value)). The time is the worker's, from the
// request to the answer (checking, running, keeping the result). Prints
// medians; asserts nothing.
//
// Beside the lab, in the same Chromium run and on the same files, DuckDB-Wasm
// (the npm package in benches/duckdb, which scripts/bench.sh installs) runs
// the same queries; its answers are checked against the lab's (the
// command line's results of the same links, in $DATALABB_STAR_DATA/answers),
// and the table gives both medians and their ratio.
//
// Memory: each analysis once more in a fresh page, and the compute
// worker's wasm memory after it (the most it held: loading both tables
// and running the analysis), also in bytes per fact row.
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { startServer } from "../scripts/static-server.mjs";
import { workerMemory } from "./memory.mjs";
import { median, need } from "./common.mjs";

const dist = need("DATALABB_DIST");
const data = need("DATALABB_STAR_DATA");
const runs = Number(process.env.RUNS ?? 5);
const links = JSON.parse(readFileSync(join(data, "benchmarks.json"), "utf8"));

const { server, url } = await startServer({ mounts: { "/": dist, "/data/": data } });
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"],
});

/** Shows analysis `link` and returns the worker's time for it. */
async function runMs(page, link) {
  await page.evaluate((link) => { location.hash = `#/analysis/${link}`; }, link);
  const handle = await page.waitForFunction(
    (link) => {
      const shown = document.querySelector('[data-testid="analysis-link"]')?.value ?? "";
      const ms = document.querySelector('[data-testid="result-status"]')?.dataset.runMs;
      return shown.endsWith(link) && ms !== undefined ? Number(ms) : false;
    },
    link,
    { timeout: 300_000, polling: 50 },
  );
  return handle.jsonValue();
}

try {
  const page = await browser.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("console", (m) => m.type() === "error" && /panicked/.test(m.text()) && errors.push(m.text()));
  const started = Date.now();
  await page.goto(`${url}/?lang=en#/analysis/${links.baseline}`);
  await runMs(page, links.baseline);
  console.log(`opened the fact and dimension tables and ran once in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  const times = Object.fromEntries(Object.keys(links).map((name) => [name, []]));
  for (let i = 0; i < runs; i++) {
    for (const [name, link] of Object.entries(links)) {
      // Another analysis first, so each run is a fresh request.
      const other = name === "baseline" ? links["group-by"] : links.baseline;
      await runMs(page, other);
      times[name].push(await runMs(page, link));
    }
  }
  const base = median(times.baseline);
  console.log(`browser (worker, release build), ${runs} runs:`);
  for (const [name, xs] of Object.entries(times)) {
    console.log(
      `${`analysis ${name}`.padEnd(44)} median ${median(xs).toFixed(1).padStart(9)} ms   ${(median(xs) / base).toFixed(1).padStart(5)}× baseline   runs: ${xs.map((x) => x.toFixed(0)).join(", ")}`,
    );
  }
  if (errors.length) console.log("page errors:", errors);
  await peakMemory(browser);
  await compareWithDuckdb(browser, times);
} finally {
  await browser.close();
  server.close();
}

/** Each analysis in a fresh page: the worker's wasm memory after it. */
async function peakMemory(browser) {
  const catalog = JSON.parse(readFileSync(join(data, "catalog.json"), "utf8"));
  const factRows = Math.max(...catalog.datasets.map((d) => d.versions.at(-1).rows));
  console.log(`\npeak wasm memory of the worker, a fresh page per analysis (both tables loaded, then the analysis; ${factRows} fact rows):`);
  for (const [name, link] of Object.entries(links)) {
    const page = await browser.newPage();
    await page.goto(`${url}/?lang=en#/analysis/${link}`);
    await runMs(page, link);
    const bytes = await workerMemory(page);
    console.log(`${`analysis ${name}`.padEnd(44)} ${(bytes / 1e6).toFixed(0).padStart(7)} MB   ${(bytes / factRows).toFixed(1).padStart(6)} bytes a fact row`);
    await page.close();
  }
}

/** The answers of the lab's analyses, from the command line's CSVs. */
function labAnswers() {
  const answers = {};
  for (const name of Object.keys(links)) {
    const path = join(data, "answers", `${name}.csv`);
    if (!existsSync(path)) continue;
    const [header, ...rows] = readFileSync(path, "utf8").trim().split("\n").map((l) => l.split(","));
    const at = (column) => header.indexOf(column);
    answers[name] = {
      rows: rows.length,
      total: rows.reduce((sum, r) => sum + Number(r[at("total")]), 0),
      n: rows.reduce((sum, r) => sum + Number(r[at("n")]), 0),
    };
  }
  return answers;
}

async function compareWithDuckdb(browser, labTimes) {
  const packages = new URL("./duckdb/node_modules/", import.meta.url).pathname;
  if (!existsSync(join(packages, "@duckdb/duckdb-wasm"))) {
    console.log("DuckDB-Wasm is not installed (npm ci --prefix benches/duckdb): no comparison");
    return;
  }
  const root = mkdtempSync(join(tmpdir(), "datalabb-duckdb-"));
  const imports = {
    "@duckdb/duckdb-wasm": "/nm/@duckdb/duckdb-wasm/dist/duckdb-browser.mjs",
    "apache-arrow": "/nm/apache-arrow/Arrow.dom.mjs",
    flatbuffers: "/nm/flatbuffers/mjs/flatbuffers.js",
    tslib: "/nm/tslib/tslib.es6.mjs",
  };
  writeFileSync(
    join(root, "index.html"),
    `<!doctype html><meta charset="utf-8"><title>DuckDB-Wasm</title>` +
      `<script type="importmap">${JSON.stringify({ imports })}</script>` +
      `<script type="module" src="/bench/page.mjs"></script>`,
  );
  const { server: duckServer, url: duckUrl } = await startServer({
    mounts: { "/": root, "/nm/": packages, "/bench/": new URL("./duckdb/", import.meta.url).pathname, "/data/": data },
    csp: false,
  });
  try {
    const catalog = JSON.parse(readFileSync(join(data, "catalog.json"), "utf8"));
    const files = Object.fromEntries(
      catalog.datasets.map((d) => [d.id, `/data/${d.versions.at(-1).url}`]),
    );
    const page = await browser.newPage();
    const errors = [];
    page.on("pageerror", (e) => errors.push(String(e)));
    await page.goto(`${duckUrl}/`);
    await page.waitForFunction(() => window.duckdbBench !== undefined, null, { timeout: 60_000 });
    const started = Date.now();
    await page.evaluate((files) => window.duckdbBench.open(files), files);
    console.log(`DuckDB-Wasm loaded the fact and dimension tables in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    const names = Object.keys(labTimes).filter((n) => n in { baseline: 1, join: 1, "group-by": 1, filter: 1 });
    const times = Object.fromEntries(names.map((n) => [n, []]));
    const answers = {};
    // One run to warm up, then the measured ones.
    for (let i = 0; i <= runs; i++) {
      for (const name of names) {
        const out = await page.evaluate((name) => window.duckdbBench.run(name), name);
        if (i > 0) times[name].push(out.ms);
        answers[name] = out;
      }
    }
    const lab = labAnswers();
    const same = (a, b) => Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));
    console.log(`\nthe lab and DuckDB-Wasm 1.32, the same Chromium run and files, ${runs} runs each (medians):`);
    console.log(`${"query".padEnd(12)} ${"lab".padStart(10)} ${"DuckDB-Wasm".padStart(12)} ${"lab ÷ DuckDB".padStart(13)}   answers`);
    for (const name of names) {
      const l = median(labTimes[name]);
      const d = median(times[name]);
      const want = lab[name];
      const got = answers[name];
      const checked = !want
        ? "not checked (no CLI answer)"
        : same(want.total, got.total) && want.n === got.n && want.rows === got.rows
          ? "equal"
          : `DIFFER: lab ${JSON.stringify(want)}, DuckDB ${JSON.stringify({ rows: got.rows, total: got.total, n: got.n })}`;
      console.log(`${name.padEnd(12)} ${l.toFixed(1).padStart(7)} ms ${d.toFixed(1).padStart(9)} ms ${(l / d).toFixed(2).padStart(12)}×   ${checked}`);
    }
    if (errors.length) console.log("DuckDB page errors:", errors);
  } finally {
    duckServer.close();
  }
}
