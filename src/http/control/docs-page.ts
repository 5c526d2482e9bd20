/** A self-contained API reference: fetches /openapi.json and lists every operation with its schemas. */
export const API_REFERENCE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>okmsd API reference</title>
<style>
  body { font: 15px/1.45 system-ui, sans-serif; margin: 2rem auto; max-width: 60rem; padding: 0 1rem; color: #1d2330; }
  h1 { font-size: 1.6rem; } h2 { font-size: 1.15rem; margin-top: 2rem; border-bottom: 1px solid #d8dde6; }
  .op { margin: .6rem 0; padding: .5rem .8rem; border: 1px solid #d8dde6; border-radius: 6px; }
  .method { display: inline-block; min-width: 4.5rem; font-weight: 700; text-transform: uppercase; }
  code, pre { font-family: ui-monospace, monospace; font-size: 13px; } pre { background: #f4f6f9; padding: .6rem; overflow: auto; }
  details summary { cursor: pointer; }
</style>
</head>
<body>
<main>
<h1>okmsd API reference</h1>
<p>Generated from <a href="/openapi.json">/openapi.json</a> (OpenAPI 3.1).</p>
<div id="ops" aria-live="polite">Loading…</div>
</main>
<script>
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
</script>
</body>
</html>
`;
