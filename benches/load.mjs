// Loading benchmark, in headless Chromium (Debian's) with playwright-core.
//
//   scripts/bench.sh            (builds, generates the data, runs this)
//
// Measures, each over RUNS runs, and prints medians:
// - navigation to a usable page: from navigation start until the engine is
//   ready and the catalog lists its datasets (a fresh browser context each
//   run, so nothing is cached);
// - opening a ~100 MB uncompressed Arrow file of numbers and strings: the
//   worker's SHA-256 (WebCrypto where the browser has it) and its decode (bytes to one record batch), reopened
//   from the Cache API so the network is not measured; as MB/s;
// - baselines in the same page and run, since machines are noisy: the
//   browser's own SHA-256 (WebCrypto) and a plain copy of the same bytes;
// - the preview: the longest main-thread task while scrolling to the end
//   of the table by keyboard and scrollbar, and the time of a sort and of
//   a row search over all rows;
// - memory: the compute worker's wasm memory (which only grows, so the
//   most it has held) in a fresh page after opening the table, and after
//   its preview and column summaries, in bytes per row beside the table's
//   own Arrow size.
// Nothing here asserts a speed; the numbers are for people.
import { chromium } from "playwright-core";
import { startServer } from "../scripts/static-server.mjs";
import { workerMemory } from "./memory.mjs";
import { median, need } from "./common.mjs";

const dist = need("DATALABB_DIST");
const data = need("DATALABB_BENCH_DATA");
const runs = Number(process.env.RUNS ?? 5);

const fmt = (x, digits = 1) => x.toFixed(digits);
const line = (label, xs, unit, digits = 1) =>
  console.log(`${label.padEnd(44)} median ${fmt(median(xs), digits).padStart(9)} ${unit}   runs: ${xs.map((x) => fmt(x, digits)).join(", ")}`);

const { server, url } = await startServer({ mounts: { "/": dist, "/data/": data } });
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"],
});

// Records when the page became usable: engine ready and catalog listed.
const usableProbe = () => {
  const check = () => {
    if (window.__usable) return;
    const ready = document.querySelector('[data-testid="engine-status"][data-state="ready"]');
    const card = document.querySelector('[data-testid="dataset-card"]');
    if (ready && card) window.__usable = performance.now();
  };
  new MutationObserver(check).observe(document, { subtree: true, childList: true, attributes: true });
};

try {
  // 1. Navigation to a usable page.
  const usable = [];
  for (let i = 0; i < runs; i++) {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.addInitScript(usableProbe);
    await page.goto(`${url}/?lang=en`);
    await page.waitForFunction(() => window.__usable !== undefined, null, { timeout: 60_000 });
    usable.push(await page.evaluate(() => window.__usable));
    await context.close();
  }

  // 2. Hash and decode of the big file, and the same-run baselines.
  const context = await browser.newContext({ viewport: { width: 1280, height: 1000 } });
  const page = await context.newPage();
  await page.goto(`${url}/?lang=en`);
  await page.locator('[data-testid="catalog"][data-state="loaded"]').waitFor({ timeout: 60_000 });
  const card = page.locator('[data-testid="dataset-card"]').first();
  const id = await card.getAttribute("data-id");
  const open = async () => {
    await card.getByTestId("open-dataset").click();
    const summary = card.getByTestId("dataset-summary");
    await summary.waitFor({ timeout: 300_000 });
    const [hash, decode, bytes] = await Promise.all(
      ["data-hash-ms", "data-decode-ms", "data-file-bytes"].map((a) => summary.getAttribute(a)),
    );
    await page.getByTestId("loaded-panel").getByRole("button").first().click();
    await card.getByTestId("open-dataset").waitFor();
    return { hash: Number(hash), decode: Number(decode), bytes: Number(bytes) };
  };
  const first = await open(); // downloads once; the rest come from the cache
  const hash = [], decode = [], rate = [];
  for (let i = 0; i < runs; i++) {
    const t = await open();
    hash.push(t.hash);
    decode.push(t.decode);
    rate.push(t.bytes / 1e6 / (t.decode / 1000));
  }
  const version = await page.evaluate(async () => {
    const catalog = await (await fetch("data/catalog.json")).json();
    return catalog.datasets[0].versions.at(-1).url;
  });
  const baseline = await page.evaluate(async ({ file, runs }) => {
    const bytes = new Uint8Array(await (await fetch(`data/${file}`)).arrayBuffer());
    const digest = [], copy = [];
    for (let i = 0; i < runs; i++) {
      let t = performance.now();
      await crypto.subtle.digest("SHA-256", bytes);
      digest.push(performance.now() - t);
      t = performance.now();
      bytes.slice();
      copy.push(performance.now() - t);
    }
    return { digest, copy };
  }, { file: version, runs });

  // 3. The preview of the same table.
  await card.getByTestId("open-dataset").click();
  await card.getByTestId("dataset-summary").waitFor({ timeout: 300_000 });
  await card.getByTestId("dataset-link").click();
  const status = page.getByTestId("preview-status");
  await page.waitForFunction(() => /showing 1–/.test(document.querySelector('[data-testid="preview-status"]')?.textContent ?? ""), null, { timeout: 120_000 });
  await page.evaluate(() => {
    window.__tasks = [];
    new PerformanceObserver((list) => window.__tasks.push(...list.getEntries().map((e) => e.duration)))
      .observe({ type: "longtask", buffered: false });
  });
  const grid = page.getByTestId("preview-grid");
  await grid.focus();
  for (let i = 0; i < 30; i++) await page.keyboard.press("PageDown");
  await page.keyboard.press("End");
  for (let i = 0; i < 30; i++) await page.keyboard.press("ArrowUp");
  await grid.evaluate((g) => { g.scrollTop = 0; });
  for (let i = 0; i < 40; i++) await page.mouse.wheel(0, 4000);
  await grid.evaluate((g) => { g.scrollTop = g.scrollHeight; });
  await page.waitForTimeout(500);
  const tasks = await page.evaluate(() => window.__tasks);
  const timed = async (act, done) => {
    const t = Date.now();
    await act();
    await page.waitForFunction(done, null, { timeout: 120_000 });
    return Date.now() - t;
  };
  const sortMs = [], searchMs = [];
  for (let i = 0; i < Math.min(runs, 3); i++) {
    const header = page.getByTestId("sort-column").nth(3);
    sortMs.push(await timed(() => header.click(), () => document.querySelector('[aria-sort="ascending"]')));
    await header.click();
    await header.click();
    await page.waitForFunction(() => !document.querySelector('[aria-sort="ascending"],[aria-sort="descending"]'));
    // Enter searches at once, without the typing pause.
    searchMs.push(await timed(
      async () => {
        await page.getByTestId("row-search").fill(`rad ${1000 + i}`);
        await page.getByTestId("row-search").press("Enter");
      },
      (n) => /contain/.test(document.querySelector('[data-testid="preview-status"]').textContent),
    ));
    await page.getByTestId("row-search").fill("");
    await page.waitForFunction(() => !/contain/.test(document.querySelector('[data-testid="preview-status"]').textContent));
  }
  await context.close();

  // 4. Memory, in a fresh page: after the open, then after the preview and
  // the column summaries.
  const fresh = await browser.newContext({ viewport: { width: 1280, height: 1000 } });
  const memoryPage = await fresh.newPage();
  await memoryPage.goto(`${url}/?lang=en`);
  await memoryPage.locator('[data-testid="catalog"][data-state="loaded"]').waitFor({ timeout: 60_000 });
  const freshCard = memoryPage.locator('[data-testid="dataset-card"]').first();
  await freshCard.getByTestId("open-dataset").click();
  const loaded = freshCard.getByTestId("dataset-summary");
  await loaded.waitFor({ timeout: 300_000 });
  const rows = Number(await loaded.getAttribute("data-rows"));
  const tableBytes = Number(await loaded.getAttribute("data-memory-bytes"));
  const afterOpen = await workerMemory(memoryPage);
  await freshCard.getByTestId("dataset-link").click();
  await memoryPage.waitForFunction(() => /showing 1–/.test(document.querySelector('[data-testid="preview-status"]')?.textContent ?? ""), null, { timeout: 120_000 });
  await memoryPage.getByTestId("summary-card").first().waitFor({ timeout: 120_000 });
  const afterPreview = await workerMemory(memoryPage);
  await fresh.close();

  const mb = first.bytes / 1e6;
  console.log(`dataset ${id}: ${fmt(mb)} MB; first open (download + hash + decode): hash ${fmt(first.hash)} ms, decode ${fmt(first.decode)} ms`);
  line("navigation to usable page", usable, "ms");
  line("worker SHA-256 (WebCrypto, or wasm without)", hash, "ms");
  line("  baseline: page's WebCrypto SHA-256, same bytes", baseline.digest, "ms");
  console.log(`${"  ratio worker / page".padEnd(44)} ${fmt(median(hash) / median(baseline.digest), 2)}`);
  line("worker decode, bytes to table", decode, "ms");
  line("  decode throughput", rate, "MB/s", 0);
  line("  baseline: copy of the same bytes (JS)", baseline.copy, "ms");
  console.log(`${"  ratio decode / copy".padEnd(44)} ${fmt(median(decode) / median(baseline.copy), 2)}`);
  console.log(`${"preview: long tasks (> 50 ms) while scrolling".padEnd(44)} ${tasks.length}; longest ${fmt(Math.max(0, ...tasks))} ms`);
  line("preview: sort all rows by a number column", sortMs, "ms", 0);
  line("preview: search all rows for a text", searchMs, "ms", 0);
  const perRow = (bytes) => `${fmt(bytes / 1e6)} MB, ${fmt(bytes / rows)} bytes a row`;
  console.log(`memory of ${rows} rows: the table in Arrow ${perRow(tableBytes)}`);
  console.log(`  worker's wasm memory after the open          ${perRow(afterOpen)}`);
  console.log(`  after the preview and the column summaries   ${perRow(afterPreview)}`);
} finally {
  await browser.close();
  server.close();
}
