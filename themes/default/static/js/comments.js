/* comments.js: "Show comments" loads the thread into the article page on
 * demand (the article itself never asks for comments); links between
 * views, pages and replies load in place; the form gets its tokens and
 * does its proof of work in the background, then posts in place. Without
 * this script every link and form works as a plain page. */
(function () {
  'use strict';
  var section = document.getElementById('comments');
  var holder = document.getElementById('comment-thread');
  if (!section || !holder || !window.fetch) return;
  var button = section.querySelector('.show-comments');
  var inArticle = !!button;

  // /comments/12?x=1 -> /comments/12/thread?x=1
  function threadUrl(href) {
    var u = new URL(href, location.href);
    if (!/\/thread$/.test(u.pathname)) u.pathname = u.pathname.replace(/\/?$/, '/thread');
    return u.pathname + u.search;
  }

  function load(url, focus) {
    holder.setAttribute('aria-busy', 'true');
    return fetch(url, { credentials: 'same-origin' }).then(function (res) {
      return res.text().then(function (html) {
        show(html, focus);
      });
    }).catch(function () {
      holder.removeAttribute('aria-busy');
      if (button) location.href = button.href;   // the page works without us
    });
  }

  function show(html, focus) {
    holder.innerHTML = html;   // our own server's escaped HTML
    holder.removeAttribute('aria-busy');
    if (button) {
      button.setAttribute('aria-expanded', 'true');
      button.parentNode.hidden = true;
    }
    enhance();
    var thread = holder.querySelector('.thread');
    var target = focus || (thread && thread.getAttribute('data-focus'));
    var el = target && document.getElementById('comment-' + target);
    if (el) {
      el.classList.add('is-focus');
      el.scrollIntoView({ block: 'center' });
    }
  }

  // sha256(challenge ":" n) must start with bits zero bits
  function solve(challenge, bits) {
    if (!bits || !window.crypto || !crypto.subtle || !window.TextEncoder) return Promise.resolve('');
    var enc = new TextEncoder(), n = 0;
    function good(buf) {
      var b = new Uint8Array(buf);
      for (var i = 0; i < bits; i++) if (b[i >> 3] & (0x80 >> (i & 7))) return false;
      return true;
    }
    function round() {
      var batch = [];
      for (var k = 0; k < 128; k++) batch.push(crypto.subtle.digest('SHA-256', enc.encode(challenge + ':' + (n + k))));
      return Promise.all(batch).then(function (hs) {
        for (var k = 0; k < hs.length; k++) if (good(hs[k])) return String(n + k);
        n += 128;
        return n > 1 << 26 ? '' : round();
      });
    }
    return round();
  }

  function enhance() {
    var form = holder.querySelector('form.comment-form');
    var ready = Promise.resolve();
    if (form) {
      var token = form.elements.token, csrf = form.elements.csrf;
      var bits = parseInt(form.getAttribute('data-pow-bits') || '0', 10);
      if (!token.value) {
        ready = fetch(form.getAttribute('data-token-url'), { credentials: 'same-origin' })
          .then(function (res) { return res.json(); })
          .then(function (t) { token.value = t.token; csrf.value = t.csrf; bits = t.pow_bits; });
      }
      var work = ready.then(function () { return solve(token.value, bits); })
        .then(function (answer) { form.elements.pow.value = answer; }, function () {});
      form.addEventListener('submit', function (ev) {
        ev.preventDefault();
        var send = form.querySelector('button[type=submit]');
        if (send) send.disabled = true;
        work.then(function () {
          if (!inArticle) { form.submit(); return; }
          var body = new URLSearchParams(new FormData(form));
          body.append('fragment', '1');
          return fetch(form.action, {
            method: 'POST', credentials: 'same-origin', body: body.toString(),
            headers: { 'Content-Type': 'application/x-www-form-urlencoded' }
          }).then(function (res) {
            return res.text().then(function (html) { show(html); });
          });
        }).catch(function () { if (send) send.disabled = false; form.submit(); });
      });
    }
    holder.querySelectorAll('[data-nav]').forEach(function (a) {
      if (!inArticle) return;
      a.addEventListener('click', function (ev) { ev.preventDefault(); load(threadUrl(a.href)); });
    });
    holder.querySelectorAll('[data-reply]').forEach(function (a) {
      a.addEventListener('click', function (ev) {
        if (!form) return;
        ev.preventDefault();
        form.elements.parent.value = a.getAttribute('data-reply');
        var note = form.querySelector('.replying');
        note.querySelector('.replying-name').textContent = a.getAttribute('data-reply-name');
        note.hidden = false;
        form.elements.body.focus();
      });
    });
    var cancel = holder.querySelector('[data-cancel-reply]');
    if (cancel && form) {
      cancel.addEventListener('click', function (ev) {
        ev.preventDefault();
        form.elements.parent.value = '';
        form.querySelector('.replying').hidden = true;
      });
    }
  }

  if (inArticle) {
    button.addEventListener('click', function (ev) {
      ev.preventDefault();
      load(button.getAttribute('data-thread'));
    });
    var m = /^#comment-(\d+)$/.exec(location.hash);   // a permalink opens the thread there
    if (m) load(button.getAttribute('data-thread') + '?c=' + m[1], m[1]);
  } else {
    enhance();
  }
})();
