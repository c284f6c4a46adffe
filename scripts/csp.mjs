// The security headers a host of the lab should send, and the
// Content-Security-Policy that the built page passes. The static server
// (scripts/static-server.mjs) sends them; `trunk build` runs this file after
// each build to write them as `dist/_headers`, the format of static hosts
// that read one, from which README's nginx lines are copied.
//
//   node scripts/csp.mjs DIST [--data-host https://data.example.org ...]
//
// The page's only inline script is Trunk's boot script; its SHA-256 goes in
// the policy, so no 'unsafe-inline' script can run. WebAssembly needs
// 'wasm-unsafe-eval'. Style attributes (Leptos sets them) need
// 'unsafe-inline' for styles only. The embed route is a fragment of the same
// page, so framing is allowed from anywhere (frame-ancestors *); the page
// never acts on messages from its parent.
import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

/** The base64 SHA-256 of each inline script of `html` (those without src). */
export function inlineScriptHashes(html) {
  const hashes = [];
  for (const [, attributes, body] of html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script\s*>/gi)) {
    if (/\bsrc\s*=/i.test(attributes)) continue;
    hashes.push(`'sha256-${createHash("sha256").update(body, "utf8").digest("base64")}'`);
  }
  return hashes;
}

/** The Content-Security-Policy for a page whose HTML is `html`. */
export function contentSecurityPolicy(html, { dataHosts = [] } = {}) {
  const hosts = dataHosts.map((h) => new URL(h).origin);
  return [
    "default-src 'self'",
    ["script-src 'self' 'wasm-unsafe-eval'", ...inlineScriptHashes(html)].join(" "),
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    ["connect-src 'self'", ...hosts].join(" "),
    "worker-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'none'",
    "frame-ancestors *",
  ].join("; ");
}

/** Every header the host sends with the lab's files (the page's HTML given). */
export function securityHeaders(html, options = {}) {
  const headers = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "strict-origin-when-cross-origin",
  };
  if (html !== undefined) headers["content-security-policy"] = contentSecurityPolicy(html, options);
  return headers;
}

/** The `_headers` file: the headers for every path. */
export function headersFile(html, options = {}) {
  const lines = ["/*"];
  for (const [name, value] of Object.entries(securityHeaders(html, options))) {
    const title = name.replace(/(^|-)([a-z])/g, (_, dash, c) => dash + c.toUpperCase());
    lines.push(`  ${title}: ${value}`);
  }
  return lines.join("\n") + "\n";
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const args = process.argv.slice(2);
  const dist = args[0] ?? process.env.TRUNK_STAGING_DIR;
  if (!dist) throw new Error("usage: node scripts/csp.mjs DIST [--data-host URL ...]");
  const dataHosts = [];
  for (let i = 1; i < args.length; i += 2) {
    if (args[i] !== "--data-host" || args[i + 1] === undefined) throw new Error(`unknown option ${args[i]}`);
    dataHosts.push(args[i + 1]);
  }
  const html = readFileSync(join(dist, "index.html"), "utf8");
  writeFileSync(join(dist, "_headers"), headersFile(html, { dataHosts }));
}
