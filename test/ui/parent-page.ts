// SPDX-License-Identifier: GPL-3.0-or-later
// The cluster-admin page around the module iframe (NS8.md §8.10), as small as it can be:
// window.core = a Vue-like root with apiUrl, an event bus and a hash router; the login token
// in localStorage.loginInfo; and task results turned into the events cluster-admin emits.
// Task outcomes arrive from the harness over server-sent events (cluster-admin uses its
// websocket + task status polling for the same purpose).

export function parentPage(opts: { moduleId: string; token: string }): string {
  const cfg = JSON.stringify({ moduleId: opts.moduleId, token: opts.token });
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>cluster-admin (test harness)</title>
<style>
  body { margin: 0; font-family: sans-serif; }
  header { height: 3rem; background: #161616; color: #f4f4f4; display: flex; align-items: center; padding: 0 1rem; }
  #app-frame { border: 0; width: 100%; height: calc(100vh - 3rem); display: block; }
  #core-page { padding: 2rem; }
</style></head>
<body>
<header>NethServer 8 · cluster-admin (harness)</header>
<div id="core-page" hidden></div>
<script>
(function () {
  const cfg = ${cfg};
  localStorage.setItem('loginInfo', JSON.stringify({ username: 'admin', token: cfg.token }));
  const handlers = new Map();
  const routeOf = () => {
    const full = location.hash.replace(/^#/, '') || '/';
    return { fullPath: full, path: full.split('?')[0], query: Object.fromEntries(new URLSearchParams(full.split('?')[1] || '')) };
  };
  const core = {
    apiUrl: location.origin + '/cluster-admin/api',
    $on(name, fn) { handlers.set(name, [...(handlers.get(name) || []), fn]); },
    $once(name, fn) { const w = (...a) => { core.$off(name, w); fn(...a); }; w.fn = fn; core.$on(name, w); },
    $off(name, fn) {
      if (!fn) { handlers.delete(name); return; }
      handlers.set(name, (handlers.get(name) || []).filter((h) => h !== fn && h.fn !== fn));
    },
    $emit(name, ...args) { (handlers.get(name) || []).slice().forEach((h) => h(...args)); },
    get $route() { return routeOf(); },
    $router: {
      push(path) { location.hash = '#' + (typeof path === 'string' ? path : path.path); return Promise.resolve(); },
      replace(path) { history.replaceState(null, '', '#' + (typeof path === 'string' ? path : path.path)); return Promise.resolve(); },
    },
    emitted: [],
  };
  core.$root = core;
  window.core = core;

  // The same event names and argument orders as cluster-admin (NS8.md §8.10).
  function onTaskEnd(t) {
    const ctx = t.context;
    const result = { output: t.output, error: t.error, exit_code: t.exit_code, file: 'task/module/' + cfg.moduleId + '/' + t.id };
    const suffix = ctx.extra && ctx.extra.eventId ? '-' + ctx.extra.eventId : '';
    const base = ctx.action + '-' + t.status;
    core.emitted.push(base + suffix);
    for (const name of suffix ? [base, base + suffix] : [base]) {
      if (t.status === 'completed') core.$emit(name, ctx, result);
      else if (t.status === 'aborted') core.$emit(name, result, ctx);
      else core.$emit(name, t.output, ctx);
    }
  }

  function show() {
    const r = routeOf();
    const inApp = r.path === '/apps/' + cfg.moduleId;
    document.getElementById('core-page').hidden = inApp;
    document.getElementById('core-page').textContent = inApp ? '' : 'cluster-admin page ' + r.path;
    let frame = document.getElementById('app-frame');
    if (inApp && !frame) {
      frame = document.createElement('iframe');
      frame.id = 'app-frame';
      frame.src = 'apps/' + cfg.moduleId + '/index.html';
      document.body.appendChild(frame);
    } else if (!inApp && frame) {
      frame.remove();
    }
  }

  const events = new EventSource('api/harness/events');
  events.onmessage = (m) => onTaskEnd(JSON.parse(m.data));
  events.onopen = () => { window.addEventListener('hashchange', show); show(); };
})();
</script>
</body></html>`;
}
