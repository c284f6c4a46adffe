// The star schema's four analyses (benches/ops.mjs) compiled to wasm as
// the worker is (examples/ops_web.rs) but run outside the lab's worker:
// `recipe::run` alone on the same Arrow files, timed in a plain module
// worker of headless Chromium and in Node's V8. Beside benches/ops.mjs
// it shows what the lab's worker adds to its code's own time.
//
//   scripts/bench.sh ONLY=ops   (builds the module, runs this after ops.mjs)
//   NODE_ONLY=1 node --cpu-prof benches/ops_web.mjs   (profile the analyses)
//
// Prints medians; asserts nothing.
import { readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { chromium } from "playwright-core";
import { startServer } from "../scripts/static-server.mjs";
import { median, need } from "./common.mjs";

const dir = need("DATALABB_OPS_WEB");
const data = need("DATALABB_STAR_DATA");
const runs = Number(process.env.RUNS ?? 5);
const links = JSON.parse(readFileSync(join(data, "benchmarks.json"), "utf8"));
const names = ["baseline", "filter", "group-by", "join"];
const files = Object.fromEntries(
  ["fact", "dimension"].map((name) => [name, `${name}/${readdirSync(join(data, name))[0]}`]),
);

function print(where, times) {
  console.log(`\n${where}, recipe::run alone (${runs} runs after one to warm up, medians):`);
  for (const name of names) {
    const xs = times[name];
    console.log(`${`analysis ${name}`.padEnd(20)} ${median(xs).toFixed(1).padStart(8)} ms   runs: ${xs.map((x) => x.toFixed(0)).join(", ")}`);
  }
}

// The same loop in both places: load the files, one run to warm up, then
// the timed ones (each analysis in turn).
const body = `
  for (const [name, file] of Object.entries(files)) m.load(name, await read(file));
  const times = Object.fromEntries(names.map((n) => [n, []]));
  for (let r = 0; r <= runs; r++) {
    for (const n of names) {
      const t = performance.now();
      m.analysis(links[n]);
      if (r > 0) times[n].push(performance.now() - t);
    }
  }
  return times;`;
const timed = new Function("m", "read", "files", "names", "links", "runs", `return (async () => {${body}})();`);

// Node: the module from its bytes.
const m = await import(pathToFileURL(join(dir, "ops_web.js")).href);
m.initSync({ module: readFileSync(join(dir, "ops_web_bg.wasm")) });
print("Node", await timed(m, (f) => readFileSync(join(data, f)), files, names, links, runs));

if (!process.env.NODE_ONLY) {
  writeFileSync(join(dir, "worker.js"), `import init, * as m from "./ops_web.js";
onmessage = async ({ data: { files, names, links, runs } }) => {
  await init();
  const read = async (f) => new Uint8Array(await (await fetch("/data/" + f)).arrayBuffer());
  const timed = async () => {${body}};
  postMessage(await timed());
};`);
  writeFileSync(join(dir, "index.html"), `<!doctype html><meta charset="utf-8"><title>ops in a worker</title>
<script type="module">
  const worker = new Worker("./worker.js", { type: "module" });
  window.run = (args) => new Promise((done) => { worker.onmessage = (e) => done(e.data); worker.postMessage(args); });
  window.ready = true;
</script>`);
  const { server, url } = await startServer({ mounts: { "/": dir, "/data/": data }, csp: false });
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
      "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"],
  });
  try {
    const page = await browser.newPage();
    await page.goto(`${url}/index.html`);
    await page.waitForFunction(() => window.ready === true);
    print("a plain module worker of Chromium", await page.evaluate((args) => window.run(args), { files, names, links, runs }));
  } finally {
    await browser.close();
    server.close();
  }
}
