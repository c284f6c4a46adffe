// The page starts, its compute worker answers, and the catalog the worker
// was given is listed: at the root, under a sub-path, after a crash, and
// with a broken data host.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { useLab } from "./harness.mjs";

const FIXTURE_IDS = ["fixture-agencies", "fixture-staff", "fixture-counties"];

const openLab = useLab({ before, after });

test("the page starts its worker and lists the catalog the worker was given", async () => {
  const { lab, context } = await openLab("/?lang=en", { viewport: { width: 1200, height: 800 } });
  await lab.waitForEngine("ready");
  await lab.waitForCatalog("loaded");
  assert.deepEqual(await lab.datasetIds(), FIXTURE_IDS);
  assert.match(await lab.engine.innerText(), /Compute engine ready · v\d+\.\d+\.\d+/);
  assert.match(await lab.cards.first().innerText(), /Test agencies/);
  assert.match(await lab.cards.first().innerText(), /12 rows · 3 columns · 1 version\b/);
  assert.match(await lab.cards.nth(1).innerText(), /180 rows · 3 columns · 2 versions/);
  await lab.screenshot("foundation-catalog-en");

  await lab.page.getByTestId("lang-sv").click();
  await lab.page.getByRole("heading", { name: "Datamängder" }).waitFor();
  assert.match(await lab.cards.first().innerText(), /Testmyndigheter/);
  assert.equal(await lab.page.getAttribute("html", "lang"), "sv");
  assert.equal(await lab.page.getByTestId("lang-sv").getAttribute("aria-pressed"), "true");
  assert.deepEqual(lab.errors, []);
  await context.close();
});

test("the lab works when hosted under a sub-path", async () => {
  const { lab, context } = await openLab("/sub/lab");
  await lab.waitForEngine("ready");
  await lab.waitForCatalog("loaded");
  assert.equal(new URL(lab.page.url()).pathname, "/sub/lab/");
  assert.deepEqual(await lab.datasetIds(), FIXTURE_IDS);
  assert.deepEqual(lab.errors, []);
  await context.close();
});

test("a crashed worker is noticed, shown, restarted and given the catalog again", async () => {
  const { lab, context } = await openLab("/?debug&lang=en");
  await lab.waitForCatalog("loaded");
  await lab.waitForEngine("ready");
  await lab.page.getByTestId("simulate-crash").click();
  await lab.notice.waitFor();
  assert.equal(await lab.notice.getAttribute("data-kind"), "warning");
  assert.match(await lab.notice.innerText(), /stopped and was restarted/);
  assert.match(await lab.notice.innerText(), /simulated crash/);
  await lab.waitForEngine("ready");
  await lab.waitForCatalog("loaded");
  assert.deepEqual(await lab.datasetIds(), FIXTURE_IDS);
  await lab.screenshot("foundation-after-crash");
  await context.close();
});

test("the page stops restarting a worker that keeps crashing, and offers a restart", async () => {
  const { lab, context } = await openLab("/broken-worker/?lang=en");
  await lab.waitForEngine("stopped");
  assert.equal(await lab.notice.getAttribute("data-kind"), "error");
  assert.match(await lab.notice.innerText(), /stopped several times/);
  assert.match(await lab.notice.innerText(), /broken worker script/);
  assert.match(await lab.catalog.innerText(), /once the compute engine runs again/);
  await lab.screenshot("foundation-engine-stopped");
  await lab.engine.getByRole("button", { name: "Restart" }).click();
  await lab.waitForEngine("stopped");
  await context.close();
});

test("a catalog that is not JSON gives a clear error and a retry", async () => {
  const { lab, context } = await openLab("/garbage/?lang=en");
  await lab.waitForCatalog("failed");
  const message = await lab.catalogError.innerText();
  assert.match(message, /The catalog could not be loaded/);
  assert.match(message, /\/garbage\/data\/catalog\.json: the catalog is not valid JSON \(line 1, column 1\)/);
  assert.match(message, /the host answered with a web page, not the catalog/);
  await lab.waitForEngine("ready");
  await lab.screenshot("foundation-catalog-error");
  await context.close();
});

test("a missing catalog names the address and the HTTP status", async () => {
  const { lab, context } = await openLab("/missing/?lang=en");
  await lab.waitForCatalog("failed");
  assert.match(await lab.catalogError.innerText(), /\/missing\/data\/catalog\.json answered HTTP 404/);
  await lab.catalogError.getByRole("button", { name: "Try again" }).click();
  await lab.waitForCatalog("failed");
  await context.close();
});

test("the layout fits a phone 375 px wide", async () => {
  const { lab, context } = await openLab("/?lang=sv", { viewport: { width: 375, height: 740 }, deviceScaleFactor: 2 });
  await lab.waitForCatalog("loaded");
  const overflow = await lab.page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `the page is ${overflow} px wider than the screen`);
  await lab.screenshot("foundation-phone-sv");
  await context.close();
});
