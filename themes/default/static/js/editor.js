// editor.js: autosave for the article editor. Every 30 seconds, when the
// headline, standfirst or text changed, the typed text is sent to the
// article's autosave address; the server keeps it as an autosaved revision
// and the article itself stays as last saved. Without script, nothing is
// lost but the autosave.
(function () {
  'use strict';
  var form = document.getElementById('editor');
  if (!form || !form.dataset.autosave || !window.fetch) return;
  var state = form.querySelector('.autosave-state');
  var fields = ['title', 'standfirst', 'body'];
  function snapshot() {
    return fields.map(function (n) { return form.elements[n] ? form.elements[n].value : ''; }).join('\u0000');
  }
  var last = snapshot();
  var busy = false;
  function save() {
    var now = snapshot();
    if (busy || now === last) return;
    busy = true;
    var body = new URLSearchParams();
    body.set('csrf', form.elements.csrf.value);
    fields.forEach(function (n) { if (form.elements[n]) body.set(n, form.elements[n].value); });
    fetch(form.dataset.autosave, { method: 'POST', body: body, credentials: 'same-origin' })
      .then(function (r) {
        if (!r.ok) throw new Error(r.status);
        last = now;
        if (state) state.textContent = state.dataset.done || '✓';
      })
      .catch(function () { if (state) state.textContent = '…'; })
      .then(function () { busy = false; });
  }
  setInterval(save, 30000);
  form.addEventListener('submit', function () { last = snapshot(); });
})();
