// Shared set-up of the end-to-end tests: Debian's Chromium through
// playwright-core, and the built lab served on a free local port.
import { createHash } from "node:crypto";
import { createServer } from "node:http";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { startServer } from "../../scripts/static-server.mjs";

const dist = required("DATALABB_DIST");
const fixtures = required("DATALABB_FIXTURES");
const published = required("DATALABB_PUBLISHED");
const million = required("DATALABB_MILLION");
export const artifacts = process.env.DATALABB_ARTIFACTS ?? join(tmpdir(), "datalabb-test-results");
mkdirSync(artifacts, { recursive: true });

function required(name) {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the browser tests through scripts/test.sh`);
  return value;
}

/**
 * A host on another port that announces 2 GB for every file (and sends a
 * little of it), allowing the lab's origin to read it.
 */
function hugeHost() {
  const server = createServer((request, response) => {
    response.writeHead(200, {
      "content-type": "application/vnd.apache.arrow.file",
      "content-length": String(2 ** 31),
      "access-control-allow-origin": "*",
    });
    response.write(Buffer.alloc(1024));
    // The rest never comes; the lab must not wait for it.
    setTimeout(() => response.destroy(), 5_000).unref();
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

/**
 * A copy of the published data with broken files, the catalog pointing at
 * each: `counties` (its file changed, so the hash differs), `municipalities`
 * (an HTML page with a matching hash), `agency_fte` (missing: HTTP 404),
 * `agency_staff` (cut in half, with a matching hash), `appropriation_counts`
 * (empty, with a matching hash), `appropriation_letters` (on a host that
 * announces 2 GB).
 */
function tamperedHost(root, hugeUrl) {
  const dir = join(root, "tampered");
  cpSync(published, dir, { recursive: true });
  const catalogPath = join(dir, "catalog.json");
  const catalog = JSON.parse(readFileSync(catalogPath, "utf8"));
  const latest = (id) => catalog.datasets.find((d) => d.id === id).versions.at(-1);
  const sha256 = (bytes) => createHash("sha256").update(bytes).digest("hex");
  const replace = (id, bytes, listHash) => {
    const version = latest(id);
    writeFileSync(join(dir, version.url), bytes);
    if (listHash) version.sha256 = sha256(bytes);
  };
  replace("counties", Buffer.from("changed on the host"), false);
  replace("municipalities", Buffer.from("<!doctype html><title>Logga in</title>"), true);
  rmSync(join(dir, latest("agency_fte").url));
  const staff = readFileSync(join(dir, latest("agency_staff").url));
  replace("agency_staff", staff.subarray(0, staff.length >> 1), true);
  replace("appropriation_counts", Buffer.alloc(0), true);
  latest("appropriation_letters").url = `${hugeUrl}/appropriation_letters/huge.arrow`;
  writeFileSync(catalogPath, JSON.stringify(catalog));
  return dir;
}

/**
 * A catalog of Parquet files: the published catalog with each version's
 * file, hash and size those of its Parquet copy, as a host that publishes
 * Parquet only would list them.
 */
function parquetHost(root) {
  const dir = join(root, "parquet");
  cpSync(published, dir, { recursive: true });
  const catalogPath = join(dir, "catalog.json");
  const catalog = JSON.parse(readFileSync(catalogPath, "utf8"));
  for (const dataset of catalog.datasets) {
    for (const version of dataset.versions) {
      Object.assign(version, version.parquet);
      delete version.parquet;
    }
  }
  writeFileSync(catalogPath, JSON.stringify(catalog));
  return dir;
}

/** Folders of broken data hosts, for the error paths. */
function brokenHosts(hugeUrl) {
  const root = mkdtempSync(join(tmpdir(), "datalabb-broken-"));
  const garbage = join(root, "garbage");
  mkdirSync(garbage);
  writeFileSync(join(garbage, "catalog.json"), "<!doctype html><title>Not a catalog</title>");
  const empty = join(root, "empty");
  mkdirSync(empty);
  // The lab with a worker script that throws as soon as it runs.
  const brokenWorker = join(root, "broken-worker");
  cpSync(dist, brokenWorker, { recursive: true });
  writeFileSync(join(brokenWorker, "worker_loader.js"), 'throw new Error("broken worker script");');
  return { garbage, empty, brokenWorker, tampered: tamperedHost(root, hugeUrl), parquet: parquetHost(root) };
}

/**
 * Starts the server with the lab at `/` and under the sub-path `/sub/lab/`
 * (both with the fixture catalog), and two hosts whose catalog is broken:
 * `/garbage/` (HTML served as the catalog) and `/missing/` (HTTP 404), and
 * one whose worker script throws (`/broken-worker/`); `/real/` serves the
 * datasets published from the real sources, `/tampered/` broken copies,
 * `/million/` a generated table of a million rows, `/parquet/` the published
 * datasets as a catalog of their Parquet copies.
 */
export async function serveLab() {
  const huge = await hugeHost();
  const hugeUrl = `http://127.0.0.1:${huge.address().port}`;
  const { garbage, empty, brokenWorker, tampered, parquet } = brokenHosts(hugeUrl);
  // Every page goes out with the Content-Security-Policy README gives, the
  // host of the tampered data allowed as a data host.
  const started = await startServer({
    dataHosts: [hugeUrl],
    mounts: {
      "/": dist,
      "/data/": fixtures,
      "/sub/lab/": dist,
      "/sub/lab/data/": fixtures,
      "/garbage/": dist,
      "/garbage/data/": garbage,
      "/missing/": dist,
      "/missing/data/": empty,
      "/broken-worker/": brokenWorker,
      "/broken-worker/data/": fixtures,
      "/real/": dist,
      "/real/data/": published,
      "/tampered/": dist,
      "/tampered/data/": tampered,
      "/million/": dist,
      "/million/data/": million,
      "/parquet/": dist,
      "/parquet/data/": parquet,
    },
  });
  started.server.on("close", () => huge.close());
  return started;
}

/**
 * A news site on another origin (localhost, where the lab is at 127.0.0.1)
 * without the lab's security headers, for the embed tests. Resolves to
 * `publish(name, html)`, which writes a page and returns its URL. The server
 * closes when test `t` ends, passed or failed: one left listening would keep
 * the test process alive.
 */
export async function articleHost(t) {
  const dir = mkdtempSync(join(tmpdir(), "datalabb-article-"));
  const { server, url } = await startServer({ mounts: { "/": dir }, csp: false });
  t.after(() => server.close());
  const base = url.replace("127.0.0.1", "localhost");
  return (name, html) => {
    writeFileSync(join(dir, name), html);
    return `${base}/${name}`;
  };
}

export async function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--disable-dev-shm-usage",
    ],
  });
}

/** The lab as a test sees it: locators by `data-testid`, waits on states. */
export class LabPage {
  constructor(page) {
    this.page = page;
    this.errors = [];
    page.on("pageerror", (error) => this.errors.push(String(error)));
    this.engine = page.getByTestId("engine-status");
    this.catalog = page.getByTestId("catalog");
    this.cards = page.getByTestId("dataset-card");
    this.notice = page.getByTestId("engine-notice");
    this.catalogError = page.getByTestId("catalog-error");
  }

  async open(url) {
    await this.page.goto(url);
  }

  /** What the Content-Security-Policy refused, in the page and its frames. */
  async violations() {
    const all = [];
    for (const frame of this.page.frames()) {
      all.push(...((await frame.evaluate(() => window.__violations ?? []).catch(() => [])) ?? []));
    }
    return all;
  }

  async waitForEngine(state, timeout = 30_000) {
    await this.page.locator(`[data-testid="engine-status"][data-state="${state}"]`).waitFor({ timeout });
  }

  async waitForCatalog(state, timeout = 30_000) {
    await this.page.locator(`[data-testid="catalog"][data-state="${state}"]`).waitFor({ timeout });
  }

  /** The card of dataset `id`. */
  card(id) {
    return this.page.locator(`[data-testid="dataset-card"][data-id="${id}"]`);
  }

  /** Clicks "Open" on dataset `id` and waits until it is `state`. */
  async openDataset(id, state = "loaded", timeout = 30_000) {
    const card = this.card(id);
    await card.getByTestId("open-dataset").click();
    await card.locator(`[data-testid="dataset-load"][data-state="${state}"]`).waitFor({ timeout });
    return card;
  }

  /** Opens the page of dataset `id` from its card. */
  async showDataset(id) {
    await this.card(id).getByTestId("dataset-link").click();
    await this.page.locator(`[data-testid="dataset-page"][data-id="${id}"]`).waitFor();
  }

  /** The row-number and cells of the preview's rows on screen. */
  async previewRows() {
    await this.page.locator('[data-testid="preview-row"]:not(.loading)').first().waitFor();
    return this.page.getByTestId("preview-row").evaluateAll((rows) =>
      rows.map((row) => [...row.children].map((cell) => cell.textContent.replaceAll("\u202f", " "))),
    );
  }

  /**
   * Waits until the preview's status line matches `pattern`, in which a
   * space also stands for the narrow space between thousands.
   */
  async waitForStatus(pattern, timeout = 30_000) {
    await this.page.waitForFunction(
      ([source, flags]) =>
        new RegExp(source, flags).test(
          document.querySelector('[data-testid="preview-status"]')?.textContent.replaceAll("\u202f", " ") ?? "",
        ),
      [pattern.source, pattern.flags],
      { timeout },
    );
    return (await this.page.getByTestId("preview-status").innerText()).replaceAll("\u202f", " ");
  }

  async datasetIds() {
    return this.cards.evaluateAll((cards) => cards.map((card) => card.dataset.id));
  }

  async screenshot(name) {
    await this.page.screenshot({ path: join(artifacts, `${name}.png`), fullPage: true });
  }
}

/**
 * Registers before/after hooks that serve the lab and start a browser for
 * the tests of one file; returns `open(path, contextOptions)`, which opens
 * the lab in a new browser context and resolves to `{ lab, context }`.
 */
export function useLab({ before, after }) {
  let server;
  let base;
  let browser;
  before(async () => {
    ({ server, url: base } = await serveLab());
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    server?.close();
  });
  return async function open(path, options = {}) {
    const context = await browser.newContext(options);
    // Every page, and every frame in it, records what its
    // Content-Security-Policy refused (see LabPage.violations).
    await context.addInitScript(() => {
      window.__violations = [];
      document.addEventListener("securitypolicyviolation", (e) =>
        window.__violations.push(`${e.violatedDirective}: ${e.blockedURI} (${e.sourceFile}:${e.lineNumber})`),
      );
    });
    const lab = new LabPage(await context.newPage());
    await lab.open(base + path);
    return { lab, context };
  };
}
