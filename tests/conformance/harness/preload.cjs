// Loaded into every process of a recorded `nx` run (NODE_OPTIONS=--require).
// It changes nothing that nx decides; it only
//  1. sends every HTTP(S) request that nx or an Nx Cloud client makes to the
//     recorder on 127.0.0.1 (NXCLOUD_CONFORMANCE_RECORDER), whatever host it
//     was meant for, so that nothing leaves the machine; the original URL
//     travels in the header `x-conformance-meant-for`;
//  2. tags each request with the path that made it (`x-conformance-path`):
//     `runner` inside the tasks runner nx loaded (its built-in Nx Cloud shell
//     or an installed client package), `cache` inside nx's task cache (the DB
//     cache of nx 20 and later), `unknown` elsewhere. The tag is carried by an
//     AsyncLocalStorage entered when one of those modules' functions is called,
//     so it follows the call through promises; the innermost path wins (the
//     default runner's cache, called by a runner that fell back, is `cache`).
'use strict';
const http = require('http');
const https = require('https');
const Module = require('module');
const { AsyncLocalStorage } = require('async_hooks');

const recorder = process.env.NXCLOUD_CONFORMANCE_RECORDER;
const run = process.env.NXCLOUD_CONFORMANCE_RUN || '';
const als = new AsyncLocalStorage();
// The path of the current call: the AsyncLocalStorage entry, else the first
// frame of the stack that belongs to a path (a bundled client may issue a
// request from a callback queued outside the call that loaded it).
const currentPath = () => {
  const store = als.getStore();
  if (store) return store;
  const saved = Error.stackTraceLimit;
  Error.stackTraceLimit = 100;
  const stack = new Error().stack || '';
  Error.stackTraceLimit = saved;
  for (const line of stack.split('\n').slice(1)) {
    const m = /\(?((?:[A-Za-z]:)?[^():]+\.[cm]?js):\d+:\d+\)?\s*$/.exec(line);
    const name = m && pathOf(m[1]);
    if (name) return name;
  }
  return 'unknown';
};

// Which loaded files belong to which path.
const PATHS = [
  ['runner', /[\\/]nx-cloud[\\/]nx-cloud-tasks-runner-shell\.js$/],
  ['runner', /[\\/]node_modules[\\/](@nrwl[\\/])?nx-cloud[\\/]/],
  ['cache', /[\\/]nx[\\/](dist[\\/])?src[\\/]tasks-runner[\\/]cache\.js$/],
];

function pathOf(filename) {
  for (const [name, re] of PATHS) if (re.test(filename)) return name;
  return null;
}

function wrapFunction(fn, name) {
  if (typeof fn !== 'function' || fn.__conformanceWrapped) return fn;
  const isClass = /^class\b/.test(Function.prototype.toString.call(fn));
  if (isClass) {
    for (const key of Object.getOwnPropertyNames(fn.prototype)) {
      if (key === 'constructor') continue;
      const d = Object.getOwnPropertyDescriptor(fn.prototype, key);
      if (d && typeof d.value === 'function' && d.configurable) {
        const orig = d.value;
        fn.prototype[key] = function (...args) { return als.run(name, () => orig.apply(this, args)); };
      }
    }
    fn.__conformanceWrapped = true;
    return fn;
  }
  const wrapped = function (...args) {
    if (new.target) return als.run(name, () => Reflect.construct(fn, args, new.target));
    return als.run(name, () => fn.apply(this, args));
  };
  Object.defineProperty(wrapped, 'name', { value: fn.name });
  for (const key of Object.getOwnPropertyNames(fn)) {
    if (['length', 'name', 'prototype', 'arguments', 'caller'].includes(key)) continue;
    try { wrapped[key] = fn[key]; } catch { /* read-only */ }
  }
  wrapped.__conformanceWrapped = true;
  return wrapped;
}

const origLoad = Module._load;
const wrappedExports = new WeakSet();
Module._load = function (request, parent, isMain) {
  let filename = null;
  try { filename = Module._resolveFilename(request, parent, isMain); } catch { /* origLoad reports it */ }
  const name = filename ? pathOf(filename) : null;
  // A client package may make its first request while it loads (nx-cloud
  // 19.x fetches its bundle at require time): loading counts as its path.
  const exported = name ? als.run(name, () => origLoad.apply(this, arguments)) : origLoad.apply(this, arguments);
  if (!name || exported === null || (typeof exported !== 'object' && typeof exported !== 'function')) return exported;
  if (wrappedExports.has(exported)) return exported;
  wrappedExports.add(exported);
  if (typeof exported === 'function') return wrapFunction(exported, name);
  for (const key of Object.keys(exported)) {
    const d = Object.getOwnPropertyDescriptor(exported, key);
    if (!d) continue;
    if ('value' in d && typeof d.value === 'function' && d.writable) {
      exported[key] = wrapFunction(d.value, name);
    } else if (d.get && d.configurable) {
      // TypeScript's re-exports are getters.
      const get = d.get;
      Object.defineProperty(exported, key, { enumerable: d.enumerable, configurable: true, get: () => wrapFunction(get(), name) });
    }
  }
  return exported;
};

function isLoopback(host) {
  return host === '127.0.0.1' || host === 'localhost' || host === '::1' || host === '[::1]';
}

// Rewrites (url?, options?, callback?) of http(s).request to the recorder.
function redirect(protocol, args) {
  let url = null;
  let options = {};
  let rest = [];
  if (typeof args[0] === 'string' || args[0] instanceof URL) {
    url = new URL(String(args[0]));
    if (typeof args[1] === 'object' && args[1] !== null) { options = { ...args[1] }; rest = args.slice(2); } else rest = args.slice(1);
  } else {
    options = { ...(args[0] || {}) };
    rest = args.slice(1);
  }
  const host = url ? url.hostname : (options.hostname || options.host || 'localhost').replace(/:\d+$/, '');
  const port = url ? url.port : options.port;
  const path = url ? url.pathname + url.search : (options.path || '/');
  const proto = url ? url.protocol : (options.protocol || protocol);
  const meantFor = `${proto}//${host}${port ? ':' + port : ''}${path}`;
  const target = new URL(recorder);
  const headers = { ...(options.headers || {}) };
  headers['x-conformance-meant-for'] = meantFor;
  headers['x-conformance-path'] = currentPath();
  headers['x-conformance-run'] = run;
  const out = { ...options, protocol: 'http:', hostname: target.hostname, host: target.hostname, port: target.port, path, headers };
  delete out.agent;
  delete out.createConnection;
  delete out.socketPath;
  return [out, ...rest];
}

if (recorder) {
  const origHttpRequest = http.request;
  const origHttpGet = http.get;
  const shouldRedirect = (protocol, args) => {
    const a = args[0];
    if (typeof a === 'string' || a instanceof URL) return !(new URL(String(a)).port === new URL(recorder).port && isLoopback(new URL(String(a)).hostname));
    const o = a || {};
    const host = (o.hostname || o.host || 'localhost').replace(/:\d+$/, '');
    return !(isLoopback(host) && String(o.port) === new URL(recorder).port) || protocol === 'https:';
  };
  http.request = function (...args) {
    return shouldRedirect('http:', args) ? origHttpRequest(...redirect('http:', args)) : origHttpRequest(...args);
  };
  http.get = function (...args) {
    const req = http.request(...args);
    req.end();
    return req;
  };
  https.request = function (...args) { return origHttpRequest(...redirect('https:', args)); };
  https.get = function (...args) {
    const req = https.request(...args);
    req.end();
    return req;
  };
  void origHttpGet;
  if (typeof globalThis.fetch === 'function') {
    const origFetch = globalThis.fetch;
    globalThis.fetch = function (input, init = {}) {
      const url = new URL(typeof input === 'string' || input instanceof URL ? String(input) : input.url);
      const target = new URL(recorder);
      const headers = new Headers(init.headers || (typeof input === 'object' && !(input instanceof URL) ? input.headers : undefined));
      headers.set('x-conformance-meant-for', url.href);
      headers.set('x-conformance-path', currentPath());
      headers.set('x-conformance-run', run);
      const to = new URL(url.pathname + url.search, target);
      return origFetch(to, { ...init, headers });
    };
  }
}
