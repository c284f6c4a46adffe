// Chart benchmark in headless Chromium: time from a chart request to its
// pixels on the canvas (the worker prepares the values, lays out and
// rasterises the points; the page draws the frame and puts the image in),
// for a scatter of 100,000 and of 1,000,000 points at device pixel ratio 1
// and 2; the same after a zoom (layout and raster only); and the tooltip's
// nearest-point lookup at 1,000,000 points (the first hover builds the
// grid index). The same-run baseline is a bar chart of 20 bars.
//
//   scripts/bench.sh ONLY=chart   (builds, generates the data, runs this)
//
// Prints medians; asserts nothing.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { deflateRawSync } from "node:zlib";
import { chromium } from "playwright-core";
import { startServer } from "../scripts/static-server.mjs";
import { median, need } from "./common.mjs";

const dist = need("DATALABB_DIST");
const data = need("DATALABB_CHART_DATA");
const runs = Number(process.env.RUNS ?? 5);
const catalog = JSON.parse(readFileSync(join(data, "catalog.json"), "utf8"));
const points = catalog.datasets.find((d) => d.id === "points");
const input = { name: "points", dataset: "points", sha256: points.versions.at(-1).sha256 };

const link = (json) => `r1.${deflateRawSync(Buffer.from(JSON.stringify(json))).toString("base64url")}`;

function recipe(kind, rows, title) {
  const steps = rows ? [{ op: "limit", rows }] : [];
  const chart =
    kind === "bar"
      ? { kind: "bar", x: "place", y: "value", title }
      : { kind: "scatter", x: "value", y: "share", color: "year", title };
  return link({ v: 1, inputs: [input], steps, chart });
}

const { server, url } = await startServer({ mounts: { "/": dist, "/data/": data } });
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"],
});

/** Shows `fragment` and waits for a new picture; returns request -> pixels. */
async function paint(page, fragment) {
  const before = await page.evaluate(() => document.querySelector('[data-testid="chart-canvas"]')?.dataset.drawn ?? "none");
  await page.evaluate((f) => { location.hash = `#/analysis/${f}`; }, fragment);
  return drawnAfter(page, before);
}

async function drawnAfter(page, before) {
  const handle = await page.waitForFunction(
    (before) => {
      const c = document.querySelector('[data-testid="chart-canvas"]');
      return c && c.dataset.drawn !== before && c.dataset.paintMs !== undefined
        ? [Number(c.dataset.paintMs), Number(c.dataset.chartMs)]
        : false;
    },
    before,
    { timeout: 120_000, polling: 20 },
  );
  return handle.jsonValue();
}

const rows = [];
// The worker's share of each request-to-pixels time (prepare, layout,
// raster), by row name.
const worker = {};
const keep = (name, list, timed) => {
  list.push(timed[0]);
  (worker[name] ??= []).push(timed[1]);
};
try {
  for (const dpr of [1, 2]) {
    const context = await browser.newContext({ viewport: { width: 1200, height: 900 }, deviceScaleFactor: dpr });
    const page = await context.newPage();
    const errors = [];
    page.on("pageerror", (e) => errors.push(String(e)));
    await page.goto(`${url}/?lang=en#/analysis/${recipe("bar", 0, "warm-up")}`);
    await drawnAfter(page, "none");
    for (const [name, kind, n] of [["20 bars (baseline)", "bar", 0], ["scatter 100,000 points", "scatter", 100_000], ["scatter 1,000,000 points", "scatter", 0]]) {
      const first = [];
      const zoom = [];
      const firstName = `dpr ${dpr}: ${name}, request to pixels`;
      const zoomName = `dpr ${dpr}: ${name}, zoom to pixels`;
      await paint(page, recipe(kind, n, `warm-up ${name}`));
      for (let i = 0; i < runs; i++) {
        // A new title is a new chart: the worker prepares it again.
        keep(firstName, first, await paint(page, recipe(kind, n, `run ${i}`)));
        if (kind === "scatter") {
          const canvas = page.getByTestId("chart-canvas");
          await canvas.scrollIntoViewIfNeeded();
          const box = await canvas.boundingBox();
          const before = await canvas.getAttribute("data-drawn");
          await page.mouse.move(box.x + box.width * 0.5, box.y + box.height * 0.6);
          await page.mouse.wheel(0, i % 2 ? 200 : -200);
          keep(zoomName, zoom, await drawnAfter(page, before));
        }
      }
      rows.push([firstName, first]);
      if (zoom.length) rows.push([zoomName, zoom]);
      if (kind === "scatter" && n === 0 && dpr === 1) {
        // Hovers: the first builds the grid index of the points.
        const canvas = page.getByTestId("chart-canvas");
        const box = await canvas.boundingBox();
        const hits = [];
        for (let i = 0; i <= runs * 4; i++) {
          const before = await canvas.getAttribute("data-hit-ms");
          await page.mouse.move(box.x + box.width * (0.2 + 0.03 * i), box.y + box.height * (0.4 + 0.01 * i));
          const ms = await page.waitForFunction(
            (before) => {
              const v = document.querySelector('[data-testid="chart-canvas"]').dataset.hitMs;
              return v !== undefined && v !== before ? Number(v) : false;
            },
            before,
            { timeout: 30_000, polling: 5 },
          ).then((h) => h.jsonValue()).catch(() => null);
          if (ms !== null) hits.push(ms);
        }
        rows.push(["dpr 1: tooltip lookup at 1,000,000 points, first (builds the index)", hits.slice(0, 1)]);
        rows.push(["dpr 1: tooltip lookup at 1,000,000 points, request to answer", hits.slice(1)]);
      }
    }
    if (errors.length) console.log("page errors:", errors);
    await context.close();
  }
  const base = median(rows.find(([n]) => n.startsWith("dpr 1: 20 bars"))[1]);
  console.log(`browser (release build), ${runs} runs:`);
  for (const [name, xs] of rows) {
    console.log(
      `${name.padEnd(72)} median ${median(xs).toFixed(1).padStart(8)} ms  ${(median(xs) / base).toFixed(1).padStart(6)}× baseline` +
        (worker[name] ? `  (worker ${median(worker[name]).toFixed(0)} ms)` : "") +
        `   runs: ${xs.map((x) => x.toFixed(0)).join(", ")}`,
    );
  }
} finally {
  await browser.close();
  server.close();
}
