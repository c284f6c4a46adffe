// The lab lists the datasets published from the real sources.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { useLab } from "./harness.mjs";

const openLab = useLab({ before, after });

test("the page lists the published datasets from the real catalog", async () => {
  const { lab, context } = await openLab("/real/?lang=sv", { viewport: { width: 1280, height: 900 } });
  await lab.waitForEngine("ready");
  await lab.waitForCatalog("loaded");
  const ids = await lab.datasetIds();
  for (const id of ["agencies", "agency_staff", "agency_staff_gender", "appropriation_letters", "municipalities"]) {
    assert.ok(ids.includes(id), `${id} is listed (got ${ids})`);
  }
  const agencies = lab.cards.filter({ has: lab.page.getByText("Statliga myndigheter", { exact: true }) });
  assert.match(await agencies.innerText(), /414 rader · 18 kolumner · 1 version\b/);
  assert.match(await lab.page.locator('[data-id="municipalities"]').innerText(), /290 rader/);
  await lab.screenshot("published-catalog-sv");
  assert.deepEqual(lab.errors, []);
  await context.close();
});
