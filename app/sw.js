// QALF service worker: keeps the app shell on the device so the app opens
// with no network. Records are not cached here: the app keeps them in
// IndexedDB and syncs them itself. API and sync traffic always goes to the
// network.
const SHELL = "qalf-shell-v1";

// The shell: index.html and everything it links to (scripts, WebAssembly,
// styles, manifest, icons), found by reading the page the server serves.
async function cacheShell() {
  const cache = await caches.open(SHELL);
  const response = await fetch("/", { cache: "no-store" });
  if (!response.ok) throw new Error(`shell fetch failed: ${response.status}`);
  const html = await response.clone().text();
  const urls = new Set(["/"]);
  for (const match of html.matchAll(/(?:src|href)="(\/[^"]*)"/g)) urls.add(match[1]);
  const wasm = html.match(/["'](\/[^"']+\.wasm)["']/g) || [];
  for (const w of wasm) urls.add(w.slice(1, -1));
  await cache.put("/", response);
  await Promise.all(
    [...urls].filter((u) => u !== "/").map(async (url) => {
      const r = await fetch(url, { cache: "no-store" });
      if (r.ok) await cache.put(url, r);
    }),
  );
  // The loader names the .wasm file; cache it too.
  for (const url of urls) {
    if (!url.endsWith(".js")) continue;
    const r = await cache.match(url);
    if (!r) continue;
    const text = await r.clone().text();
    for (const m of text.matchAll(/["'](\/[^"']+\.wasm)["']/g)) {
      const w = await fetch(m[1], { cache: "no-store" });
      if (w.ok) await cache.put(m[1], w);
    }
  }
}

self.addEventListener("install", (event) => {
  event.waitUntil(cacheShell().then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((k) => k !== SHELL).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

// The API, the sync socket, and signing in with the council's identity
// provider (redirects that must reach the server).
function isNetworkOnly(url) {
  return url.pathname.startsWith("/api/") || url.pathname.startsWith("/auth/") || url.pathname === "/sync";
}

// Pages: the network first (so a new version arrives), the cached shell
// when there is no network or no server.
async function page(request) {
  const cache = await caches.open(SHELL);
  try {
    const response = await fetch(request);
    if (response.ok) await cache.put("/", response.clone());
    return response;
  } catch (_offline) {
    const cached = await cache.match("/");
    if (cached) return cached;
    throw _offline;
  }
}

// Assets have content hashes in their names: the cache first, then the
// network (keeping what it brings).
async function asset(request) {
  const cache = await caches.open(SHELL);
  const cached = await cache.match(request, { ignoreSearch: true });
  if (cached) return cached;
  const response = await fetch(request);
  if (response.ok) await cache.put(request, response.clone());
  return response;
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin || isNetworkOnly(url)) return;
  if (request.mode === "navigate") {
    event.respondWith(page(request));
  } else {
    event.respondWith(asset(request));
  }
});
