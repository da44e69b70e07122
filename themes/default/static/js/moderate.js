// moderate.js: keyboard shortcuts for the moderation queue: j and k move
// between comments, x selects the current one, a / s / d approve, mark as
// spam or delete the selection (or, with nothing selected, the current
// comment). The buttons do the same without script.
(function () {
  'use strict';
  var form = document.getElementById('moderation');
  if (!form) return;
  var items = Array.prototype.slice.call(form.querySelectorAll('.moderation-item'));
  var at = -1;
  function focus(i) {
    if (!items.length) return;
    at = Math.max(0, Math.min(items.length - 1, i));
    items.forEach(function (el, k) { el.classList.toggle('is-current', k === at); });
    items[at].querySelector('input[type=checkbox]').focus();
  }
  document.addEventListener('keydown', function (e) {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    var t = e.target;
    if (t && (t.tagName === 'TEXTAREA' || (t.tagName === 'INPUT' && t.type !== 'checkbox'))) return;
    if (e.key === 'j') { focus(at + 1); e.preventDefault(); return; }
    if (e.key === 'k') { focus(at - 1); e.preventDefault(); return; }
    if (e.key === 'x' && at >= 0) {
      var box = items[at].querySelector('input[type=checkbox]');
      box.checked = !box.checked;
      e.preventDefault();
      return;
    }
    var button = form.querySelector('button[data-key="' + e.key + '"]');
    if (!button) return;
    if (!form.querySelector('input[name=id]:checked') && at >= 0)
      items[at].querySelector('input[type=checkbox]').checked = true;
    if (!form.querySelector('input[name=id]:checked')) return;
    e.preventDefault();
    form.requestSubmit ? form.requestSubmit(button) : button.click();
  });
})();
