/** The console's one page: plain, accessible HTML and CSS; behaviour in /console/app.js. */
export const CONSOLE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>okmsd console</title>
<style>
  :root { --fg: #1d2330; --muted: #5b6475; --line: #d8dde6; --accent: #0b5cad; --danger: #b42318; }
  body { font: 15px/1.45 system-ui, sans-serif; color: var(--fg); margin: 0; }
  header { display: flex; justify-content: space-between; align-items: center; padding: .8rem 1.5rem; border-bottom: 1px solid var(--line); }
  main { max-width: 72rem; margin: 0 auto; padding: 1rem 1.5rem 3rem; }
  h1 { font-size: 1.25rem; margin: 0; } h2 { font-size: 1.1rem; margin-top: 2rem; }
  section { border-top: 1px solid var(--line); }
  table { border-collapse: collapse; width: 100%; } th, td { text-align: left; padding: .35rem .5rem; border-bottom: 1px solid var(--line); vertical-align: top; }
  th { color: var(--muted); font-weight: 600; }
  label { display: block; margin: .5rem 0 .2rem; font-weight: 600; }
  input, select, textarea { font: inherit; padding: .35rem .45rem; border: 1px solid var(--line); border-radius: 4px; width: 100%; box-sizing: border-box; }
  textarea { font-family: ui-monospace, monospace; font-size: 13px; }
  button { font: inherit; padding: .35rem .8rem; border-radius: 4px; border: 1px solid var(--accent); background: var(--accent); color: #fff; cursor: pointer; margin: .2rem .2rem .2rem 0; }
  button.secondary, td button { background: #fff; color: var(--accent); } button.danger { border-color: var(--danger); color: var(--danger); background: #fff; }
  button:disabled { opacity: .5; cursor: not-allowed; }
  .row { display: grid; grid-template-columns: repeat(auto-fit, minmax(14rem, 1fr)); gap: 0 1rem; }
  #status { min-height: 1.4rem; } #status.error { color: var(--danger); } #status.ok { color: #067647; }
  pre { background: #f4f6f9; padding: .6rem; white-space: pre-wrap; }
  dialog { max-width: 32rem; border: 1px solid var(--line); border-radius: 8px; } .warning { color: var(--danger); font-weight: 600; }
  :focus-visible { outline: 3px solid #7cb3f5; outline-offset: 1px; }
</style>
</head>
<body>
<header><h1>okmsd console</h1><div id="who" aria-live="polite">account: <strong id="account">—</strong> <button id="signout" class="secondary">Sign out</button></div></header>
<main>
<p id="status" role="status" aria-live="polite"></p>

<section id="signin">
  <h2>Sign in</h2>
  <form id="signin-form">
    <label for="token">Admin token</label>
    <input id="token" type="password" autocomplete="off" required>
    <button type="submit">Sign in</button>
  </form>
</section>

<div id="app" hidden>
  <section>
    <h2>Domains</h2>
    <div class="row">
      <div><label for="domain-select">Domain</label><select id="domain-select"></select></div>
      <form id="domain-form"><label for="domain-name">New domain</label><input id="domain-name" required placeholder="name"><button type="submit">Create domain</button></form>
    </div>
  </section>

  <section>
    <h2>Credentials <small id="credential-count"></small></h2>
    <table>
      <thead><tr><th>Name</th><th>Status</th><th>Type</th><th>Key</th><th>Days to expiry</th><th>Identities</th><th></th></tr></thead>
      <tbody id="credentials"></tbody>
    </table>
    <h3>Issue a credential</h3>
    <form id="credential-form">
      <div class="row">
        <div><label for="cred-name">Name</label><input id="cred-name" required maxlength="200"></div>
        <div><label for="cred-type">Certificate type</label><select id="cred-type"><option>ECDSA</option><option>RSA</option></select></div>
        <div><label for="cred-validity">Validity (days)</label><input id="cred-validity" type="number" min="1" max="3650" value="365"></div>
      </div>
      <label for="cred-identities">Identity URNs (one per line)</label>
      <textarea id="cred-identities" rows="2" required placeholder="urn:v1:eu:identity:account:root"></textarea>
      <label for="cred-csr">CSR (optional: paste it as it is, or choose the file; without one the server makes the key)</label>
      <textarea id="cred-csr" rows="4" placeholder="-----BEGIN CERTIFICATE REQUEST-----"></textarea>
      <input id="cred-csr-file" type="file" accept=".csr,.pem,.der,.req" aria-label="CSR file">
      <button type="submit">Issue credential</button>
    </form>
  </section>

  <section>
    <h2>IAM</h2>
    <button id="iam-refresh" class="secondary">Show users, groups and policies</button>
    <div class="row">
      <div><h3>Users</h3><ul id="iam-user"></ul></div>
      <div><h3>Groups</h3><ul id="iam-group"></ul></div>
      <div><h3>Policies</h3><ul id="iam-policy"></ul></div>
    </div>
    <h3>Explain</h3>
    <form id="explain-form">
      <div class="row">
        <div><label for="explain-credential">Credential id</label><input id="explain-credential" required></div>
        <div><label for="explain-action">Action</label><input id="explain-action" required value="okms:apikms:serviceKey/encrypt"></div>
      </div>
      <button type="submit">Explain</button>
    </form>
    <pre id="explain-result" aria-live="polite"></pre>
  </section>

  <section>
    <h2>Audit log</h2>
    <button id="audit-verify" class="secondary">Verify the chain</button> <span id="audit-verdict" aria-live="polite"></span>
    <table><thead><tr><th>#</th><th>Time</th><th>Plane</th><th>Action</th><th>Decision</th><th>Reason</th></tr></thead><tbody id="audit"></tbody></table>
  </section>
</div>

<dialog id="key-dialog" aria-labelledby="key-title">
  <h2 id="key-title">Private key of <span id="key-name"></span></h2>
  <p class="warning">This is the only time this private key is available. okmsd does not keep it: if you close this without downloading, the credential cannot be used.</p>
  <label><input id="key-confirm" type="checkbox" style="width:auto"> I understand that the key is shown only this once</label>
  <button id="key-download" disabled>Download key and certificate</button>
  <button id="key-discard" class="danger">Discard the key</button>
</dialog>
<script src="/console/app.js"></script>
</body>
</html>
`;
