/* Caravan web chat — plain JS, no framework, no build step.
 *
 * Protocol (public contract):
 *   client -> server  {"type":"message","chatId":"…","text":"…","id":"…"}
 *   server -> client  {"type":"accepted","id":"…"}
 *                     {"type":"delta","inReplyTo":"…","chatId":"…","text":"…"}
 *                     {"type":"reply","inReplyTo":"…","chatId":"…","text":"…"}
 *                     {"type":"error","code":"…","message":"…","id"?:"…"}
 *   unknown frame types are ignored.
 *
 * Message text is only ever inserted as text nodes (never innerHTML).
 */
(function () {
  'use strict';

  var CHAT_KEY = 'caravan.chatId';
  var HISTORY_PREFIX = 'caravan.history.';
  var HISTORY_LIMIT = 200;
  var BACKOFF_MIN = 1000;
  var BACKOFF_MAX = 30000;
  var STICK_THRESHOLD = 80; // px from the bottom that still counts as "at the bottom"

  var el = {
    scroller: document.getElementById('scroller'),
    list: document.getElementById('messages'),
    empty: document.getElementById('empty'),
    jump: document.getElementById('jump'),
    form: document.getElementById('composer'),
    input: document.getElementById('input'),
    send: document.getElementById('send'),
    conn: document.getElementById('conn'),
    connText: document.getElementById('conn-text'),
    banner: document.getElementById('banner'),
    bannerText: document.getElementById('banner-text'),
    retry: document.getElementById('retry'),
    newChat: document.getElementById('new-chat')
  };

  // ---------------------------------------------------------------- utils

  var store = {
    get: function (k) { try { return window.localStorage.getItem(k); } catch (e) { return null; } },
    set: function (k, v) { try { window.localStorage.setItem(k, v); } catch (e) { /* quota / private mode */ } },
    remove: function (k) { try { window.localStorage.removeItem(k); } catch (e) { /* ignore */ } }
  };

  function randomId() {
    var c = window.crypto;
    if (c && typeof c.randomUUID === 'function') {
      try { return c.randomUUID(); } catch (e) { /* insecure context */ }
    }
    if (c && typeof c.getRandomValues === 'function') {
      var b = new Uint8Array(16);
      c.getRandomValues(b);
      b[6] = (b[6] & 0x0f) | 0x40;
      b[8] = (b[8] & 0x3f) | 0x80;
      var h = Array.prototype.map.call(b, function (x) { return (x + 0x100).toString(16).slice(1); }).join('');
      return h.slice(0, 8) + '-' + h.slice(8, 12) + '-' + h.slice(12, 16) + '-' + h.slice(16, 20) + '-' + h.slice(20);
    }
    return Date.now().toString(36) + '-' + Math.random().toString(36).slice(2) + Math.random().toString(36).slice(2);
  }

  function newChatId() {
    return 'web-' + randomId().replace(/-/g, '').slice(0, 20);
  }

  function h(tag, cls, text) {
    var n = document.createElement(tag);
    if (cls) n.className = cls;
    if (text != null) n.textContent = text;
    return n;
  }

  var SVG_NS = 'http://www.w3.org/2000/svg';
  var ICONS = {
    check: 'M5 12.5l4.5 4.5L19 7.5',
    clock: 'M12 7v5l3 2M21 12a9 9 0 1 1-18 0 9 9 0 0 1 18 0z',
    dots: 'M6 12h.01M12 12h.01M18 12h.01',
    alert: 'M12 8v5m0 3.5h.01M10.3 3.9 2.4 17.5A2 2 0 0 0 4.1 20.5h15.8a2 2 0 0 0 1.7-3L13.7 3.9a2 2 0 0 0-3.4 0z',
    copy: 'M9 9h10v10H9zM5 15V5h10'
  };
  function icon(name, cls) {
    var svg = document.createElementNS(SVG_NS, 'svg');
    svg.setAttribute('viewBox', '0 0 24 24');
    svg.setAttribute('aria-hidden', 'true');
    svg.setAttribute('focusable', 'false');
    if (cls) svg.setAttribute('class', cls);
    var p = document.createElementNS(SVG_NS, 'path');
    p.setAttribute('d', ICONS[name]);
    p.setAttribute('fill', 'none');
    p.setAttribute('stroke', 'currentColor');
    p.setAttribute('stroke-width', name === 'dots' ? '3' : '2');
    p.setAttribute('stroke-linecap', 'round');
    p.setAttribute('stroke-linejoin', 'round');
    svg.appendChild(p);
    return svg;
  }

  var timeFmt, dateFmt;
  try {
    timeFmt = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
    dateFmt = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
  } catch (e) { timeFmt = null; dateFmt = null; }

  function timeEl(ts) {
    var d = new Date(ts);
    var t = h('time', 'time', timeFmt ? timeFmt.format(d) : d.toLocaleTimeString());
    t.dateTime = d.toISOString();
    t.title = dateFmt ? dateFmt.format(d) : d.toLocaleString();
    return t;
  }

  // --------------------------------------------------- safe rich rendering
  // Supports ```fenced code```, `inline code`, **bold** and http(s) links.
  // Everything else is plain text; line breaks come from CSS white-space.

  var FENCE_RE = /```([^\n`]*)\n?([\s\S]*?)(?:\n?```|$)/g;
  var INLINE_RE = /(`[^`\n]+`)|(\*\*[^*\n]+?\*\*)|(https?:\/\/[^\s<>"'`]+)/g;

  function renderInline(target, text) {
    var last = 0, m;
    INLINE_RE.lastIndex = 0;
    while ((m = INLINE_RE.exec(text)) !== null) {
      if (m.index > last) target.appendChild(document.createTextNode(text.slice(last, m.index)));
      var tok = m[0];
      if (m[1]) {
        target.appendChild(h('code', 'inline-code', tok.slice(1, -1)));
      } else if (m[2]) {
        target.appendChild(h('strong', null, tok.slice(2, -2)));
      } else {
        var trail = (tok.match(/[.,;:!?)\]}]+$/) || [''])[0];
        var url = tok.slice(0, tok.length - trail.length);
        var a = h('a', null, url);
        a.href = url;
        a.target = '_blank';
        a.rel = 'noopener noreferrer';
        target.appendChild(a);
        if (trail) target.appendChild(document.createTextNode(trail));
      }
      last = m.index + tok.length;
    }
    if (last < text.length) target.appendChild(document.createTextNode(text.slice(last)));
  }

  function codeBlock(lang, code) {
    var wrap = h('div', 'code-block');
    var bar = h('div', 'code-bar');
    bar.appendChild(h('span', 'code-lang', lang || 'code'));
    var copy = h('button', 'code-copy');
    copy.type = 'button';
    copy.appendChild(icon('copy'));
    copy.appendChild(h('span', null, 'Copy'));
    copy.addEventListener('click', function () { copyText(code, copy); });
    bar.appendChild(copy);
    var pre = h('pre');
    pre.tabIndex = 0; // scrollable region must be keyboard reachable
    pre.appendChild(h('code', null, code));
    wrap.appendChild(bar);
    wrap.appendChild(pre);
    return wrap;
  }

  function copyText(text, btn) {
    var label = btn.querySelector('span');
    function done(ok) {
      label.textContent = ok ? 'Copied' : 'Copy failed';
      setTimeout(function () { label.textContent = 'Copy'; }, 1500);
    }
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(function () { done(true); }, function () { done(false); });
      return;
    }
    var ta = h('textarea');
    ta.value = text;
    ta.setAttribute('readonly', '');
    ta.style.position = 'fixed';
    ta.style.opacity = '0';
    document.body.appendChild(ta);
    ta.select();
    var ok = false;
    try { ok = document.execCommand('copy'); } catch (e) { ok = false; }
    document.body.removeChild(ta);
    done(ok);
  }

  function renderRich(target, text) {
    target.textContent = '';
    var last = 0, m;
    FENCE_RE.lastIndex = 0;
    while ((m = FENCE_RE.exec(text)) !== null) {
      if (m[0] === '') { FENCE_RE.lastIndex++; continue; }
      var before = text.slice(last, m.index).replace(/\n$/, '');
      if (last > 0) before = before.replace(/^\n/, '');
      if (before) renderInline(target, before);
      target.appendChild(codeBlock(m[1].trim(), m[2]));
      last = m.index + m[0].length;
    }
    var rest = text.slice(last);
    if (last > 0) rest = rest.replace(/^\n/, '');
    if (rest) renderInline(target, rest);
  }

  // ---------------------------------------------------------------- state

  var chatId = store.get(CHAT_KEY);
  if (!chatId) { chatId = newChatId(); store.set(CHAT_KEY, chatId); }

  var history = [];        // persisted entries: {kind:'user'|'assistant'|'error', …}
  var userMsgs = {};       // id -> {entry, li, statusEl}
  var replies = {};        // inReplyTo -> {li, bubble, text, entry, done}
  var outbox = [];         // ids of user messages not yet accepted, in order

  function loadHistory() {
    var raw = store.get(HISTORY_PREFIX + chatId);
    if (!raw) return [];
    try {
      var arr = JSON.parse(raw);
      return Array.isArray(arr) ? arr : [];
    } catch (e) { return []; }
  }

  var saveTimer = null;
  function saveSoon() {
    if (saveTimer) return;
    saveTimer = setTimeout(function () {
      saveTimer = null;
      if (history.length > HISTORY_LIMIT) history = history.slice(-HISTORY_LIMIT);
      store.set(HISTORY_PREFIX + chatId, JSON.stringify(history));
    }, 250);
  }

  // ------------------------------------------------------------ scrolling

  var stick = true;

  function atBottom() {
    var s = el.scroller;
    return s.scrollHeight - s.scrollTop - s.clientHeight < STICK_THRESHOLD;
  }

  function scrollToBottom(force) {
    if (force) stick = true;
    if (!stick) { el.jump.hidden = false; return; }
    el.scroller.scrollTop = el.scroller.scrollHeight;
    el.jump.hidden = true;
  }

  el.scroller.addEventListener('scroll', function () {
    stick = atBottom();
    if (stick) el.jump.hidden = true;
  }, { passive: true });

  el.jump.addEventListener('click', function () {
    el.scroller.scrollTo({ top: el.scroller.scrollHeight, behavior: 'smooth' });
    stick = true;
    el.jump.hidden = true;
  });

  if (window.ResizeObserver) {
    // The message area shrinks when the composer grows or the phone keyboard opens.
    new ResizeObserver(function () { if (stick) scrollToBottom(false); }).observe(el.scroller);
  }

  function updateEmpty() {
    el.empty.hidden = el.list.childElementCount > 0;
  }

  // ------------------------------------------------------------ rendering

  var STATUS = {
    queued: { icon: 'clock', label: 'Waiting for connection', short: 'Waiting' },
    sending: { icon: 'dots', label: 'Sending' },
    accepted: { icon: 'check', label: 'Sent' },
    failed: { icon: 'alert', label: 'Not sent', short: 'Not sent' }
  };

  function setStatusView(statusEl, status) {
    var s = STATUS[status] || STATUS.queued;
    statusEl.textContent = '';
    statusEl.className = 'status status--' + status;
    statusEl.appendChild(icon(s.icon));
    // Problems get a visible word; the normal states stay a quiet icon.
    var visible = status === 'queued' || status === 'failed';
    statusEl.appendChild(h('span', visible ? 'status-label' : 'sr-only', visible ? s.short : s.label));
    statusEl.title = s.label;
  }

  function renderUser(entry) {
    var li = h('li', 'msg msg--user');
    li.dataset.id = entry.id;
    var col = h('div', 'msg-col');
    col.appendChild(h('span', 'sr-only', 'You said:'));
    var bubble = h('div', 'bubble');
    renderRich(bubble, entry.text);
    col.appendChild(bubble);
    var meta = h('div', 'meta');
    meta.appendChild(timeEl(entry.ts));
    var statusEl = h('span');
    setStatusView(statusEl, entry.status);
    meta.appendChild(statusEl);
    col.appendChild(meta);
    li.appendChild(col);
    el.list.appendChild(li);
    userMsgs[entry.id] = { entry: entry, li: li, statusEl: statusEl };
    return li;
  }

  function avatar() {
    var a = h('div', 'avatar');
    a.setAttribute('aria-hidden', 'true');
    a.appendChild(el.empty.querySelector('.empty-mark').cloneNode(true));
    return a;
  }

  function typingDots() {
    var t = h('span', 'typing');
    t.appendChild(h('span', 'sr-only', 'Caravan is typing'));
    for (var i = 0; i < 3; i++) t.appendChild(h('span', 'typing-dot'));
    return t;
  }

  // Creates (or returns) the assistant bubble answering user message `id`.
  function assistantFor(id, ts) {
    var r = replies[id];
    if (r) return r;
    var li = h('li', 'msg msg--assistant');
    li.dataset.inReplyTo = id;
    li.appendChild(avatar());
    var col = h('div', 'msg-col');
    col.appendChild(h('span', 'sr-only', 'Caravan replied:'));
    var bubble = h('div', 'bubble');
    col.appendChild(bubble);
    var meta = h('div', 'meta');
    meta.appendChild(timeEl(ts || Date.now()));
    col.appendChild(meta);
    li.appendChild(col);
    el.list.appendChild(li);
    r = replies[id] = { li: li, bubble: bubble, text: '', entry: null, done: false, pending: false, raf: 0 };
    updateEmpty();
    return r;
  }

  function showTyping(id) {
    var r = replies[id];
    if (r) return;
    r = assistantFor(id);
    r.pending = true;
    r.li.setAttribute('aria-busy', 'true');
    r.bubble.appendChild(typingDots());
    scrollToBottom(false);
  }

  function paintReply(r) {
    r.raf = 0;
    renderRich(r.bubble, r.text);
    if (!r.done) {
      var caret = h('span', 'caret');
      caret.setAttribute('aria-hidden', 'true');
      r.bubble.appendChild(caret);
    }
    scrollToBottom(false);
  }

  function onDelta(id, fragment) {
    if (typeof fragment !== 'string') return;
    var r = assistantFor(id);
    if (r.done) return; // late fragment after the final reply
    r.pending = false;
    r.li.setAttribute('aria-busy', 'true');
    r.text += fragment;
    if (!r.raf) r.raf = window.requestAnimationFrame(function () { paintReply(r); });
  }

  function onReply(id, text) {
    var r = assistantFor(id);
    if (r.raf) { window.cancelAnimationFrame(r.raf); r.raf = 0; }
    r.text = typeof text === 'string' ? text : r.text;
    r.done = true;
    r.pending = false;
    paintReply(r);
    r.li.setAttribute('aria-busy', 'false');
    if (!r.entry) {
      r.entry = { kind: 'assistant', inReplyTo: id, text: r.text, ts: Date.now() };
      history.push(r.entry);
    } else {
      r.entry.text = r.text;
    }
    saveSoon();
  }

  function renderError(entry) {
    var li = h('li', 'notice notice--error');
    li.appendChild(icon('alert', 'notice-icon'));
    var body = h('div', 'notice-body');
    var title = h('strong', null, 'Error');
    body.appendChild(title);
    if (entry.code) {
      body.appendChild(document.createTextNode(' '));
      body.appendChild(h('code', 'notice-code', entry.code));
    }
    if (entry.message) body.appendChild(h('p', 'notice-msg', entry.message));
    li.appendChild(body);
    li.appendChild(timeEl(entry.ts));
    el.list.appendChild(li);
    return li;
  }

  function renderEntry(entry) {
    if (entry.kind === 'user') renderUser(entry);
    else if (entry.kind === 'assistant') {
      var r = assistantFor(entry.inReplyTo, entry.ts);
      r.text = entry.text || '';
      r.done = true;
      r.entry = entry;
      renderRich(r.bubble, r.text);
    } else if (entry.kind === 'error') renderError(entry);
  }

  function setUserStatus(id, status) {
    var m = userMsgs[id];
    if (!m || m.entry.status === status) return;
    if (m.entry.status === 'accepted' && status !== 'failed') return; // never downgrade
    m.entry.status = status;
    setStatusView(m.statusEl, status);
    saveSoon();
  }

  function removeFromOutbox(id) {
    var i = outbox.indexOf(id);
    if (i >= 0) outbox.splice(i, 1);
  }

  // ----------------------------------------------------------- connection

  var ws = null;
  var attempt = 0;
  var everConnected = false;
  var reconnectTimer = 0;
  var countdownTimer = 0;
  var reconnectAt = 0;
  var authProblem = '';

  // A browser's WebSocket does not tell why a handshake failed: ask the REST API, which answers 401 when the
  // gateway needs a token that this page was not given (or was given a wrong one).
  function checkAuth() {
    var token = new URLSearchParams(window.location.search).get('token');
    fetch('/api/v1/messages/auth-check' + (token ? '?token=' + encodeURIComponent(token) : ''))
      .then(function (r) {
        authProblem = r.status !== 401 ? '' : token
          ? 'The token in this address was not accepted'
          : 'This gateway needs its token: open this page as ' + window.location.origin + '/?token=…';
        updateBanner();
      })
      .catch(function () { /* the server is down: the banner already says so */ });
  }

  function wsUrl() {
    var proto = window.location.protocol === 'https:' ? 'wss:' : 'ws:';
    var url = proto + '//' + window.location.host + '/ws?chatId=' + encodeURIComponent(chatId);
    var token = new URLSearchParams(window.location.search).get('token');
    if (token) url += '&token=' + encodeURIComponent(token);
    return url;
  }

  function isOpen() { return ws !== null && ws.readyState === 1; }

  function setConn(state) {
    el.conn.dataset.state = state;
    var text;
    if (state === 'connected') text = 'Connected';
    else if (state === 'connecting') text = everConnected ? 'Reconnecting…' : 'Connecting…';
    else text = 'Reconnecting…';
    if (el.connText.textContent !== text) el.connText.textContent = text;
    document.body.dataset.conn = state;
    updateBanner();
  }

  function updateBanner() {
    var state = el.conn.dataset.state;
    var show = state !== 'connected' && (everConnected || attempt > 0);
    el.banner.hidden = !show;
    if (!show) return;
    var waiting = outbox.length;
    var msg = waiting
      ? 'Offline · ' + (waiting === 1 ? '1 message' : waiting + ' messages') + ' waiting'
      : 'Connection lost';
    if (state === 'reconnecting' && reconnectAt) {
      var secs = Math.max(1, Math.ceil((reconnectAt - Date.now()) / 1000));
      msg += ' · retrying in ' + secs + ' s';
      el.retry.hidden = false;
    } else {
      msg += ' · reconnecting…';
      el.retry.hidden = true;
    }
    el.bannerText.textContent = authProblem && !everConnected ? authProblem : msg;
  }

  function connect() {
    clearTimeout(reconnectTimer);
    clearInterval(countdownTimer);
    reconnectTimer = 0;
    reconnectAt = 0;
    setConn('connecting');
    var sock;
    try {
      sock = new WebSocket(wsUrl());
    } catch (e) {
      scheduleReconnect();
      return;
    }
    ws = sock;
    sock.onopen = function () {
      if (ws !== sock) return;
      attempt = 0;
      everConnected = true;
      setConn('connected');
      flushOutbox();
    };
    sock.onmessage = function (ev) {
      if (ws !== sock) return;
      handleFrame(ev.data);
    };
    sock.onclose = function () {
      if (ws !== sock) return;
      ws = null;
      // Anything sent but not yet accepted goes back to waiting; it is resent
      // with the same id on reconnect so the server can de-duplicate it.
      outbox.forEach(function (id) { setUserStatus(id, 'queued'); });
      scheduleReconnect();
    };
    sock.onerror = function () { /* a close event follows */ };
  }

  function scheduleReconnect() {
    if (!everConnected && attempt === 0) checkAuth();
    var delay = Math.min(BACKOFF_MAX, BACKOFF_MIN * Math.pow(2, attempt));
    attempt++;
    reconnectAt = Date.now() + delay;
    reconnectTimer = setTimeout(connect, delay);
    clearInterval(countdownTimer);
    countdownTimer = setInterval(updateBanner, 1000);
    setConn('reconnecting');
  }

  function reconnectNow() {
    if (ws !== null) return; // already connecting or connected
    connect();
  }

  el.retry.addEventListener('click', reconnectNow);
  window.addEventListener('online', reconnectNow);
  document.addEventListener('visibilitychange', function () {
    if (document.visibilityState === 'visible') reconnectNow();
  });

  function sendFrame(id) {
    var m = userMsgs[id];
    if (!m || !isOpen()) return false;
    try {
      ws.send(JSON.stringify({ type: 'message', chatId: m.entry.chatId || chatId, text: m.entry.text, id: id }));
    } catch (e) {
      return false;
    }
    setUserStatus(id, 'sending');
    return true;
  }

  function flushOutbox() {
    outbox.slice().forEach(sendFrame);
    updateBanner();
  }

  function handleFrame(data) {
    var f;
    try { f = JSON.parse(data); } catch (e) { return; }
    if (!f || typeof f !== 'object') return;
    // Replies are matched by inReplyTo. One answering a message this view does
    // not know (e.g. from before "New chat") is shown only if it names this chat.
    if ((f.type === 'delta' || f.type === 'reply') && typeof f.inReplyTo === 'string' &&
        !userMsgs[f.inReplyTo] && !replies[f.inReplyTo] && f.chatId !== chatId) return;

    switch (f.type) {
      case 'accepted':
        if (typeof f.id !== 'string' || !userMsgs[f.id]) return;
        removeFromOutbox(f.id);
        setUserStatus(f.id, 'accepted');
        showTyping(f.id);
        updateBanner();
        break;
      case 'delta':
        if (typeof f.inReplyTo !== 'string') return;
        if (userMsgs[f.inReplyTo]) { removeFromOutbox(f.inReplyTo); setUserStatus(f.inReplyTo, 'accepted'); }
        onDelta(f.inReplyTo, f.text);
        break;
      case 'reply':
        if (typeof f.inReplyTo !== 'string') return;
        if (userMsgs[f.inReplyTo]) { removeFromOutbox(f.inReplyTo); setUserStatus(f.inReplyTo, 'accepted'); }
        if (typeof f.error === 'string' && f.error) {
          // the reply explains a failure (no provider, provider error, timeout): show it as a notice
          var r0 = replies[f.inReplyTo];
          if (r0 && r0.li && r0.li.parentNode) r0.li.parentNode.removeChild(r0.li);
          delete replies[f.inReplyTo];
          onError({ type: 'error', code: f.error, message: f.text });
          return;
        }
        onReply(f.inReplyTo, f.text);
        break;
      case 'error':
        onError(f);
        break;
      default:
        // unknown frame types are ignored
    }
  }

  function onError(f) {
    var id = typeof f.id === 'string' ? f.id : null;
    // not accepted only because the server is busy or starting: keep it queued, it is resent with the same id
    // (deduplicated by the server) on the next connection
    if (id && userMsgs[id] && (f.code === 'unavailable' || f.code === 'starting')) {
      if (outbox.indexOf(id) < 0) outbox.push(id);
      setUserStatus(id, 'queued');
      updateBanner();
      setTimeout(function () { if (isOpen()) flushOutbox(); }, 2000);
      return;
    }
    if (id && userMsgs[id]) {
      if (outbox.indexOf(id) >= 0) {
        removeFromOutbox(id);
        setUserStatus(id, 'failed');
      }
      var r = replies[id];
      if (r && r.pending && !r.text) { // drop the typing indicator
        r.li.parentNode.removeChild(r.li);
        delete replies[id];
      }
    }
    var entry = {
      kind: 'error',
      code: typeof f.code === 'string' ? f.code : '',
      message: typeof f.message === 'string' ? f.message : 'Something went wrong.',
      id: id || undefined,
      ts: Date.now()
    };
    history.push(entry);
    renderError(entry);
    updateEmpty();
    updateBanner();
    saveSoon();
    scrollToBottom(false);
  }

  // ------------------------------------------------------------- composer

  function autosize() {
    var ta = el.input;
    ta.style.height = 'auto';
    var max = parseFloat(window.getComputedStyle(ta).maxHeight) || 200;
    var needed = ta.scrollHeight;
    ta.style.height = Math.min(needed, max) + 'px';
    ta.style.overflowY = needed > max ? 'auto' : 'hidden';
  }

  function updateSend() {
    el.send.disabled = el.input.value.trim() === '';
  }

  function submit() {
    var text = el.input.value.replace(/^\s*\n/, '').replace(/\s+$/, '');
    if (!text.trim()) return;
    var entry = { kind: 'user', id: randomId(), chatId: chatId, text: text, ts: Date.now(), status: 'queued' };
    history.push(entry);
    renderUser(entry);
    updateEmpty();
    outbox.push(entry.id);
    sendFrame(entry.id);
    el.input.value = '';
    autosize();
    updateSend();
    updateBanner();
    saveSoon();
    scrollToBottom(true);
  }

  el.form.addEventListener('submit', function (e) {
    e.preventDefault();
    submit();
    el.input.focus();
  });

  el.input.addEventListener('keydown', function (e) {
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing && e.keyCode !== 229) {
      e.preventDefault();
      submit();
    }
  });

  el.input.addEventListener('input', function () {
    autosize();
    updateSend();
  });

  el.newChat.addEventListener('click', function () {
    if (saveTimer) { clearTimeout(saveTimer); saveTimer = null; }
    store.remove(HISTORY_PREFIX + chatId);
    Object.keys(replies).forEach(function (k) {
      if (replies[k].raf) window.cancelAnimationFrame(replies[k].raf);
    });
    chatId = newChatId();
    store.set(CHAT_KEY, chatId);
    history = [];
    userMsgs = {};
    replies = {};
    outbox = [];
    el.list.textContent = '';
    updateEmpty();
    updateBanner();
    stick = true;
    el.jump.hidden = true;
    el.input.focus();
  });

  // ----------------------------------------------------------------- boot

  history = loadHistory();
  history.forEach(function (entry) {
    if (entry.kind === 'user' && entry.status !== 'accepted' && entry.status !== 'failed') {
      entry.status = 'queued';
      outbox.push(entry.id); // resent (same id) once connected
    }
    renderEntry(entry);
  });
  updateEmpty();
  autosize();
  updateSend();
  scrollToBottom(true);
  if (window.matchMedia && window.matchMedia('(pointer: fine)').matches) el.input.focus();
  connect();
})();
