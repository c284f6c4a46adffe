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
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { startServer } from "../scripts/static-server.mjs";

const dist = need("DATALABB_DIST");
const data = need("DATALABB_STAR_DATA");
const runs = Number(process.env.RUNS ?? 5);
const links = JSON.parse(readFileSync(join(data, "benchmarks.json"), "utf8"));

function need(name) {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run scripts/bench.sh`);
  return value;
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

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
} finally {
  await browser.close();
  server.close();
}
