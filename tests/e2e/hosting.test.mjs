// Hosting safely and recovering from crashes, in the built lab on the
// published data: the page is served with the Content-Security-Policy of
// scripts/csp.mjs (as README's Hosting section gives it) and the start
// page, an analysis with its chart and an embed run with no violation; the
// build writes the same headers as dist/_headers. A request that stops the
// engine is named, not sent again, and the engine restarts once.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { useLab } from "./harness.mjs";

const openLab = useLab({ before, after });
const desktop = { viewport: { width: 1200, height: 1000 } };

async function drawnIn(frameOrPage) {
  await frameOrPage.locator('[data-testid="chart-canvas"][data-chart-ms]').waitFor({ timeout: 60_000 });
}

function directives(policy) {
  return Object.fromEntries(
    policy.split(";").map((d) => d.trim().split(/\s+/)).map(([name, ...values]) => [name, values]),
  );
}

test("the page runs under its Content-Security-Policy with no violation", async () => {
  const { lab, context } = await openLab("/real/?lang=en", desktop);
  const page = lab.page;
  const response = await page.request.get(page.url().split("?")[0]);
  const headers = response.headers();
  assert.equal(headers["x-content-type-options"], "nosniff");
  assert.equal(headers["referrer-policy"], "strict-origin-when-cross-origin");
  const policy = directives(headers["content-security-policy"]);
  assert.deepEqual(policy["object-src"], ["'none'"]);
  assert.deepEqual(policy["base-uri"], ["'self'"]);
  assert.deepEqual(policy["worker-src"], ["'self'"]);
  assert.deepEqual(policy["frame-ancestors"], ["*"]);
  assert.ok(policy["script-src"].includes("'wasm-unsafe-eval'"));
  assert.ok(!policy["script-src"].includes("'unsafe-inline'"));
  assert.ok(policy["script-src"].some((s) => s.startsWith("'sha256-")), "the boot script by its hash");
  // The build wrote the same policy for static hosts that read _headers.
  const file = readFileSync(join(process.env.DATALABB_DIST, "_headers"), "utf8");
  const built = directives(file.match(/Content-Security-Policy: (.*)/)[1]);
  assert.deepEqual(built["script-src"], policy["script-src"]);
  assert.match(file, /X-Content-Type-Options: nosniff/);

  await lab.waitForCatalog("loaded");
  await lab.waitForEngine("ready");
  await page.locator('[data-testid="curated"][data-id="growth"] [data-testid="curated-open"]').click();
  await drawnIn(page);
  assert.match(await page.getByTestId("result-status").innerText(), /^\d+ rows? ×/);
  const embed = page.url().replace("#/analysis/", "#/embed/");
  await page.goto(embed);
  await drawnIn(page);
  assert.deepEqual(await lab.violations(), []);
  assert.deepEqual(lab.errors, []);
  await context.close();
});

test("a request that stops the engine is named, not sent again, and can be retried", async () => {
  const { lab, context } = await openLab("/real/?lang=en&debug", desktop);
  await lab.waitForCatalog("loaded");
  const card = await lab.openDataset("agencies");
  // The counties file never arrives, so its open is in flight when the
  // engine stops.
  const held = [];
  await context.route(/\/counties\/[^/]+\.arrow$/, (route) => held.push(route));
  const counties = lab.card("counties");
  await counties.getByTestId("open-dataset").click();
  await counties.locator('[data-testid="dataset-load"][data-state="loading"]').waitFor();
  while (held.length === 0) await new Promise((r) => setTimeout(r, 50));
  await lab.page.getByTestId("simulate-crash").click();
  await lab.notice.waitFor();
  assert.match(await lab.notice.innerText(), /stopped and was restarted/);
  assert.match(await lab.notice.innerText(), /opening counties stopped the compute engine/);
  await lab.waitForEngine("ready");
  // What was open comes back; what was in flight is named and not reopened.
  await card.locator('[data-testid="dataset-load"][data-state="loaded"]').waitFor();
  await counties.locator('[data-testid="dataset-load"][data-state="failed"]').waitFor();
  assert.match(await counties.innerText(), /opening counties stopped the compute engine/);
  // Opening it again is the retry.
  await context.unroute(/\/counties\/[^/]+\.arrow$/);
  await counties.getByRole("button", { name: "Try again" }).click();
  await counties.locator('[data-testid="dataset-load"][data-state="loaded"]').waitFor();
  await lab.screenshot("engine-stopped-by-a-request");
  assert.deepEqual(lab.errors, []);
  await context.close();
});
