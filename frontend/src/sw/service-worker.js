// The service worker: the app shell and the published questionnaire stay available offline.
// Built by vite.config.ts, which fills in the build's file list and version; served at /sw.js.
// - navigations: network first, the cached index.html when offline (deep links work offline too);
// - hashed assets: cache first (their names change with their content);
// - the published questionnaire and sectors: network first, the last copy when offline;
// - every other API request passes through untouched and is never stored.

const PRECACHE = /* the build's files */ [];
const SHELL = `skills-shell-__VERSION__`;
const API = 'skills-api';
const OFFLINE_API = ['/api/v1/questions', '/api/v1/sectors'];

self.addEventListener('install', (event) => {
  event.waitUntil(
    caches
      .open(SHELL)
      .then((cache) => cache.addAll(PRECACHE))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((k) => k.startsWith('skills-shell-') && k !== SHELL).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

async function networkFirst(request, cacheName, fallbackUrl) {
  const cache = await caches.open(cacheName);
  try {
    const response = await fetch(request);
    if (response.ok) await cache.put(fallbackUrl ?? request, response.clone());
    return response;
  } catch (error) {
    const cached = await cache.match(fallbackUrl ?? request, { ignoreVary: true });
    if (cached) return cached;
    throw error;
  }
}

async function cacheFirst(request) {
  const cached = await caches.match(request);
  if (cached) return cached;
  const response = await fetch(request);
  if (response.ok) (await caches.open(SHELL)).put(request, response.clone());
  return response;
}

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  // The API may live on another origin (config.json's apiBase); its two offline answers are kept either way.
  if (OFFLINE_API.includes(url.pathname)) {
    event.respondWith(networkFirst(request, API));
    return;
  }
  if (url.origin !== self.location.origin) return;
  if (request.mode === 'navigate' && !url.pathname.startsWith('/api/') && !url.pathname.startsWith('/docs')) {
    event.respondWith(networkFirst(request, SHELL, '/index.html'));
  } else if (url.pathname.startsWith('/assets/')) {
    event.respondWith(cacheFirst(request));
  } else if (url.pathname === '/config.json') {
    event.respondWith(networkFirst(request, SHELL));
  }
});
