/* The API reference: fetches /openapi.json and lists every operation with its schemas. */
'use strict';
fetch('/openapi.json').then((r) => r.json()).then((doc) => {
  const root = document.getElementById('ops');
  root.textContent = '';
  const groups = {};
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(item)) (groups[op.tags[0]] ??= []).push({ path, method, op });
  }
  for (const [tag, ops] of Object.entries(groups)) {
    const h = document.createElement('h2'); h.textContent = tag; root.append(h);
    for (const { path, method, op } of ops) {
      const div = document.createElement('div'); div.className = 'op';
      const m = document.createElement('span'); m.className = 'method'; m.textContent = method;
      const p = document.createElement('code'); p.textContent = path;
      const s = document.createElement('p'); s.textContent = op.summary;
      div.append(m, p, s);
      const body = op.requestBody && Object.values(op.requestBody.content)[0].schema.$ref;
      if (body) {
        const d = document.createElement('details'); const sm = document.createElement('summary');
        const name = body.split('/').pop(); sm.textContent = 'request body: ' + name;
        const pre = document.createElement('pre'); pre.textContent = JSON.stringify(doc.components.schemas[name], null, 2);
        d.append(sm, pre); div.append(d);
      }
      root.append(div);
    }
  }
});
