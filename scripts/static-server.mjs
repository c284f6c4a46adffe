// A small static file server for the built lab, used by `scripts/serve.sh`
// and by the browser tests. No dependencies.
//
//   node scripts/static-server.mjs --root dist [--port 8080] [--host 127.0.0.1]
//        [--mount /prefix/=DIR ...] [--data-host https://data.example.org ...]
//
// Every file goes out with `X-Content-Type-Options: nosniff` and a
// `Referrer-Policy`; a page (.html) also with the Content-Security-Policy
// of scripts/csp.mjs, which allows its inline boot script by its hash and
// fetches from the page's own origin and each --data-host.
//
// Each --mount serves DIR under a URL prefix; the longest matching prefix
// wins, and --root is the mount of "/". A prefix without its trailing slash
// redirects to it, so relative asset URLs resolve under sub-paths.
import { createServer } from "node:http";
import { createReadStream, readFileSync, statSync } from "node:fs";
import { extname, join, normalize, resolve, sep } from "node:path";
import { pathToFileURL } from "node:url";

import { securityHeaders } from "./csp.mjs";

const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".wasm": "application/wasm",
  ".arrow": "application/vnd.apache.arrow.file",
  ".arrows": "application/vnd.apache.arrow.stream",
  ".csv": "text/csv; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".txt": "text/plain; charset=utf-8",
};

/** Starts serving; resolves to the running server and its base URL. */
export function startServer({ mounts, host = "127.0.0.1", port = 0, quiet = true, csp = true, dataHosts = [] }) {
  const table = Object.entries(mounts)
    .map(([prefix, dir]) => [prefix.endsWith("/") ? prefix : prefix + "/", resolve(dir)])
    .sort((a, b) => b[0].length - a[0].length);
  const server = createServer((request, response) => {
    let path;
    try {
      path = decodeURIComponent(new URL(request.url, "http://x").pathname);
    } catch {
      return send(response, 400, "bad request");
    }
    if (request.method !== "GET" && request.method !== "HEAD") return send(response, 405, "method not allowed");
    const redirect = table.find(([prefix]) => prefix.length > 1 && path + "/" === prefix);
    if (redirect) {
      response.writeHead(301, { location: redirect[0] });
      return response.end();
    }
    const mount = table.find(([prefix]) => path.startsWith(prefix));
    if (!mount) return send(response, 404, "not found");
    const [prefix, dir] = mount;
    let file = normalize(join(dir, path.slice(prefix.length)));
    if (file !== dir && !file.startsWith(dir + sep)) return send(response, 403, "forbidden");
    let stat;
    try {
      stat = statSync(file);
      if (stat.isDirectory()) {
        file = join(file, "index.html");
        stat = statSync(file);
      }
    } catch {
      return send(response, 404, "not found");
    }
    const type = TYPES[extname(file)] ?? "application/octet-stream";
    // A page goes out with its Content-Security-Policy, which allows its
    // own inline scripts by their hash (scripts/csp.mjs).
    if (extname(file) === ".html") {
      let html;
      try {
        html = readFileSync(file, "utf8");
      } catch (error) {
        return send(response, error.code === "ENOENT" ? 404 : 403, "cannot read");
      }
      response.writeHead(200, {
        ...securityHeaders(csp ? html : undefined, { dataHosts }),
        "content-type": type,
        "content-length": Buffer.byteLength(html),
        "cache-control": "no-cache",
      });
      return response.end(request.method === "HEAD" ? undefined : html);
    }
    // Headers go out once the file opened: an unreadable file (no
    // permission, gone since the stat) is a 403 or 404, not a crash.
    const stream = createReadStream(file);
    stream.once("error", (error) => {
      if (!response.headersSent) return send(response, error.code === "ENOENT" ? 404 : 403, "cannot read");
      response.destroy();
    });
    stream.once("open", () => {
      response.writeHead(200, {
        ...securityHeaders(undefined),
        "content-type": type,
        "content-length": stat.size,
        "cache-control": "no-cache",
        "access-control-allow-origin": "*",
      });
      if (request.method === "HEAD") {
        stream.destroy();
        return response.end();
      }
      stream.pipe(response);
    });
    if (!quiet) console.log(`${request.method} ${path}`);
  });
  return new Promise((resolveStart, rejectStart) => {
    server.once("error", rejectStart);
    server.listen(port, host, () => {
      const { port: actual } = server.address();
      resolveStart({ server, url: `http://${host}:${actual}` });
    });
  });
}

function send(response, status, text) {
  response.writeHead(status, { "content-type": "text/plain; charset=utf-8" });
  response.end(text);
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const args = process.argv.slice(2);
  const mounts = {};
  let host = "127.0.0.1";
  let port = 8080;
  const dataHosts = [];
  for (let i = 0; i < args.length; i += 2) {
    const [flag, value] = [args[i], args[i + 1]];
    if (value === undefined) throw new Error(`${flag} needs a value`);
    if (flag === "--root") mounts["/"] = value;
    else if (flag === "--host") host = value;
    else if (flag === "--port") port = Number(value);
    else if (flag === "--data-host") dataHosts.push(value);
    else if (flag === "--mount") {
      const at = value.indexOf("=");
      mounts[value.slice(0, at)] = value.slice(at + 1);
    } else throw new Error(`unknown option ${flag}`);
  }
  const { url } = await startServer({ mounts, host, port, quiet: true, dataHosts });
  console.log(`Datalabb is served at ${url}/ (Ctrl+C stops it)`);
}
