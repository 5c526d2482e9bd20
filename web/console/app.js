/*
 * The console's script, plain JavaScript served from /console/app.js (no framework, no CDN). It talks to the
 * same control-plane API as the CLI, with the admin token kept in sessionStorage for the tab's life only.
 */
'use strict';
var state = { token: sessionStorage.getItem('okmsd-token') || '', domain: '', pendingKey: null };

function $(id) { return document.getElementById(id); }
function show(id, visible) { $(id).hidden = !visible; }
function text(el, value) { el.textContent = value == null ? '' : String(value); return el; }
function cell(row, value) { row.appendChild(text(document.createElement('td'), value)); }
function status(message, isError) { var s = $('status'); text(s, message); s.className = isError ? 'error' : 'ok'; }

function api(method, path, body, contentType) {
  var init = { method: method, headers: { authorization: 'Bearer ' + state.token } };
  if (body !== undefined) { init.headers['content-type'] = contentType || 'application/json'; init.body = contentType ? body : JSON.stringify(body); }
  return fetch(path, init).then(function (r) {
    return r.text().then(function (t) {
      var json = t ? JSON.parse(t) : null;
      if (!r.ok) throw new Error((json && json.message) || ('HTTP ' + r.status));
      return json;
    });
  });
}

function daysLeft(iso) { return Math.floor((Date.parse(iso) - Date.now()) / 86400000); }

function signIn(event) {
  event.preventDefault();
  state.token = $('token').value.trim();
  api('GET', '/me').then(function (me) {
    sessionStorage.setItem('okmsd-token', state.token);
    text($('account'), me.account);
    show('signin', false); show('app', true);
    status('Signed in as ' + me.account, false);
    loadDomains();
  }).catch(function (e) { status('Sign-in failed: ' + e.message, true); });
}

function signOut() { sessionStorage.removeItem('okmsd-token'); state.token = ''; location.reload(); }

function loadDomains() {
  return api('GET', '/okms/resource?limit=1000').then(function (domains) {
    var select = $('domain-select');
    select.textContent = '';
    domains.forEach(function (d) {
      var option = document.createElement('option'); option.value = d.id; text(option, d.name + ' (' + d.id + ')'); select.appendChild(option);
    });
    if (domains.length) { select.value = state.domain && domains.some(function (d) { return d.id === state.domain; }) ? state.domain : domains[0].id; selectDomain(); }
  });
}

function createDomain(event) {
  event.preventDefault();
  api('POST', '/okms/resource', { name: $('domain-name').value }).then(function (d) {
    state.domain = d.id; $('domain-name').value = ''; status('Domain ' + d.name + ' created', false); return loadDomains();
  }).catch(function (e) { status(e.message, true); });
}

function selectDomain() { state.domain = $('domain-select').value; loadCredentials(); loadAudit(); }

function loadCredentials() {
  return api('GET', '/okms/resource/' + state.domain + '/credential?limit=1000').then(function (list) {
    var body = $('credentials'); body.textContent = '';
    list.forEach(function (c) {
      var row = document.createElement('tr');
      row.dataset.id = c.id;
      cell(row, c.name); cell(row, c.status); cell(row, c.certificateType); cell(row, c.fromCSR ? 'CSR' : 'server key');
      cell(row, daysLeft(c.expiredAt)); cell(row, c.identityURNs.join(' '));
      var actions = document.createElement('td');
      var revoke = document.createElement('button'); text(revoke, 'Revoke'); revoke.className = 'danger';
      revoke.setAttribute('aria-label', 'Revoke ' + c.name);
      revoke.onclick = function () {
        if (!confirm('Revoke "' + c.name + '"? Its certificate is refused from the next request on.')) return;
        api('DELETE', '/okms/resource/' + state.domain + '/credential/' + c.id).then(function () { status('Revoked ' + c.name, false); loadCredentials(); loadAudit(); })
          .catch(function (e) { status(e.message, true); });
      };
      var renew = document.createElement('button'); text(renew, 'Renew'); renew.setAttribute('aria-label', 'Renew ' + c.name);
      renew.onclick = function () { renewCredential(c); };
      actions.appendChild(renew); actions.appendChild(revoke); row.appendChild(actions);
      body.appendChild(row);
    });
    text($('credential-count'), list.length + ' credential(s)');
  }).catch(function (e) { status(e.message, true); });
}

/**
 * Renew: a successor with the same name, identities and type. A server-key credential gets a new key (offered
 * once, as at creation) and the old one is revoked; a CSR credential needs a new CSR, so the form is pre-filled.
 */
function renewCredential(c) {
  if (c.fromCSR) {
    $('cred-name').value = c.name; $('cred-identities').value = c.identityURNs.join('\n'); $('cred-type').value = c.certificateType;
    $('cred-csr').focus();
    status('Renewing ' + c.name + ': paste or choose a new CSR, issue it, then revoke the old credential', false);
    return;
  }
  if (!confirm('Renew "' + c.name + '"? A new key and certificate are issued and the old credential is revoked.')) return;
  api('POST', '/okms/resource/' + state.domain + '/credential/' + c.id + '/renew', { overlapSeconds: 0 })
    .then(function (created) { offerKeyOnce(created); })
    .then(function () { status('Renewed ' + c.name + '; the old credential is revoked', false); loadCredentials(); loadAudit(); })
    .catch(function (e) { status(e.message, true); });
}

function createCredential(event) {
  event.preventDefault();
  var fields = {
    name: $('cred-name').value,
    identityURNs: $('cred-identities').value.split(/\s+/).filter(Boolean),
    certificateType: $('cred-type').value,
    validity: Number($('cred-validity').value || 365)
  };
  var csr = $('cred-csr').value.trim();
  var file = $('cred-csr-file').files[0];
  var read = file ? file.text() : Promise.resolve(csr);
  read.then(function (csrText) {
    if (csrText) fields.csr = csrText;
    return api('POST', '/okms/resource/' + state.domain + '/credential', fields);
  }).then(function (created) {
    $('credential-form').reset();
    status('Credential ' + created.name + ' issued', false);
    if (created.privateKeyPEM) offerKeyOnce(created);
    loadAudit();
    return loadCredentials();
  }).catch(function (e) { status(e.message, true); });
}

/** The server-generated key exists only in this response: offer it once, then forget it. */
function offerKeyOnce(created) {
  state.pendingKey = { name: created.name, pem: created.privateKeyPEM, cert: created.certificatePEM };
  $('key-confirm').checked = false; $('key-download').disabled = true;
  text($('key-name'), created.name);
  $('key-dialog').showModal();
}

function downloadKey() {
  var key = state.pendingKey; if (!key) return;
  var link = document.createElement('a');
  link.href = URL.createObjectURL(new Blob([key.pem], { type: 'application/x-pem-file' }));
  link.download = key.name + '.key'; document.body.appendChild(link); link.click(); link.remove();
  var certLink = document.createElement('a');
  certLink.href = URL.createObjectURL(new Blob([key.cert], { type: 'application/x-pem-file' }));
  certLink.download = key.name + '.crt'; document.body.appendChild(certLink); certLink.click(); certLink.remove();
  closeKeyDialog();
}

function closeKeyDialog() { state.pendingKey = null; $('key-dialog').close(); }

function loadIam() {
  ['user', 'group', 'policy'].forEach(function (kind) {
    api('GET', '/iam/' + kind + '?limit=1000').then(function (list) {
      var ul = $('iam-' + kind); ul.textContent = '';
      list.forEach(function (e) { ul.appendChild(text(document.createElement('li'), e.urn || e.name || e.login)); });
      if (!list.length) ul.appendChild(text(document.createElement('li'), '(none)'));
    }).catch(function (e) { status(e.message, true); });
  });
}

function explain(event) {
  event.preventDefault();
  api('POST', '/iam/explain', { okmsId: state.domain, credentialId: $('explain-credential').value.trim(), action: $('explain-action').value })
    .then(function (answer) {
      text($('explain-result'), (answer.allowed ? 'ALLOWED' : 'DENIED') + ' (' + answer.reason + ')' +
        answer.policies.map(function (p) { return '\n  ' + p.name + ': ' + p.outcome + ' - ' + p.detail; }).join(''));
    }).catch(function (e) { text($('explain-result'), e.message); });
}

function loadAudit() {
  api('GET', '/audit?limit=1000').then(function (entries) {
    var body = $('audit'); body.textContent = '';
    entries.slice(-50).reverse().forEach(function (e) {
      var row = document.createElement('tr');
      cell(row, e.seq); cell(row, e.record.time); cell(row, e.record.plane); cell(row, e.record.action); cell(row, e.record.decision); cell(row, e.record.reason);
      body.appendChild(row);
    });
  }).catch(function () { text($('audit-verdict'), 'The audit log is visible to the root account only.'); });
}

function verifyAudit() {
  api('POST', '/audit/verify').then(function (v) {
    text($('audit-verdict'), v.intact ? 'Chain intact: ' + v.entries + ' entries' : 'BROKEN at entry ' + v.firstBroken.seq + ': ' + v.firstBroken.problem);
  }).catch(function (e) { text($('audit-verdict'), e.message); });
}

document.addEventListener('DOMContentLoaded', function () {
  $('signin-form').onsubmit = signIn;
  $('signout').onclick = signOut;
  $('domain-form').onsubmit = createDomain;
  $('domain-select').onchange = selectDomain;
  $('credential-form').onsubmit = createCredential;
  $('key-confirm').onchange = function () { $('key-download').disabled = !$('key-confirm').checked; };
  $('key-download').onclick = downloadKey;
  $('key-discard').onclick = closeKeyDialog;
  $('explain-form').onsubmit = explain;
  $('audit-verify').onclick = verifyAudit;
  $('iam-refresh').onclick = loadIam;
  if (state.token) { $('token').value = state.token; $('signin-form').requestSubmit(); }
});
