/*
 * alma-sandbox dashboard (/__admin/ui): the payments newest first, one
 * payment's timeline (its events, on the emulator's clock), its calls and
 * IPN deliveries (on the wall clock, as the journal records them), and
 * buttons that call the admin API. Plain JS; every value from the API goes
 * into the page as text, never as HTML.
 *
 * Its scope is the credential typed in the scope field, kept for the tab
 * in the session storage (nothing else is stored): a merchant's secret key
 * (Authorization: Alma-Auth sk_test_…) shows that tenant only; the admin
 * token (Authorization: Bearer …) or, on an open emulator, nothing shows
 * the operator's view: the tenants and every payment with its merchant,
 * narrowed to one tenant with X-Alma-Sandbox-Tenant. A 401 asks for the
 * key or token.
 */
(function () {
  'use strict';

  var base = window.location.origin + window.location.pathname.replace(/\/__admin\/ui\/?$/, '');
  var selected = '';
  var timer = null;
  // journalLimit is how many of the latest requests the detail asks for
  // (not 1000 every 2 s); the page keeps the selected payment's.
  var journalLimit = 100;
  // pageSize is how many payments one page lists; cursors holds the
  // starting_after of every page up to the one shown ('' is the newest).
  var pageSize = 50;
  var cursors = [''];
  var lastShown = '';
  // authItem is the tab's one stored entry: the admin credential.
  var authItem = 'alma-sandbox:admin-credential';
  var credential = storedCredential();
  // narrowed is the merchant id the operator narrows every call to ('':
  // every tenant).
  var narrowed = '';

  function storedCredential() {
    try {
      return window.sessionStorage.getItem(authItem) || '';
    } catch (e) {
      return '';
    }
  }

  // isKey reports whether the credential is a merchant's secret key (the
  // tenant's own scope) rather than the admin token.
  function isKey(c) {
    return /^sk_/.test(c || '');
  }

  // scopeHeaders adds the credential and, for the operator unless wide,
  // the tenant it narrows to.
  function scopeHeaders(headers, wide) {
    if (isKey(credential)) {
      headers.Authorization = 'Alma-Auth ' + credential;
    } else if (credential) {
      headers.Authorization = 'Bearer ' + credential;
    }
    if (narrowed && !wide && !isKey(credential)) {
      headers['X-Alma-Sandbox-Tenant'] = narrowed;
    }
    return headers;
  }

  // needAuth shows (or hides) the prompt for a key or token.
  function needAuth(show) {
    $('auth-prompt').hidden = !show;
    document.body.setAttribute('data-auth', show ? 'needed' : 'ok');
    if (show) {
      $('scope').textContent = credential ? 'refused: ' + (isKey(credential) ? 'this key' : 'this token') : 'no key or token';
      if (document.activeElement !== $('auth-value')) {
        $('auth-value').focus();
      }
    }
  }

  function $(id) {
    return document.getElementById(id);
  }

  // api calls the admin API in the dashboard's scope (wide: without the
  // operator's narrowing); a 401 shows the prompt for a key or token.
  function api(method, path, body, wide) {
    var init = { method: method, headers: scopeHeaders({ Accept: 'application/json' }, wide) };
    if (body !== undefined) {
      init.headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    return fetch(base + '/__admin' + path, init).then(function (res) {
      return res.json().catch(function () {
        return {};
      }).then(function (data) {
        if (res.status === 401) {
          needAuth(true);
        }
        if (!res.ok) {
          var why = errorMessage(data);
          throw new Error(method + ' ' + path + ': ' + res.status + (why ? ' — ' + why : ''));
        }
        return data;
      });
    });
  }

  // errorMessage is the server's reason in an Alma error body: message,
  // else the first field error's message, else the error code.
  function errorMessage(data) {
    var first = (data && data.errors && data.errors[0]) || {};
    return (data && data.message) || first.message || (data && data.error_code) || '';
  }

  // flash shows a one-line message; tone is 'ok' (green), 'bad' (red) or
  // '' (neutral).
  function flash(text, tone) {
    var node = $('flash');
    node.textContent = text;
    node.className = tone || '';
    node.setAttribute('data-tone', tone || '');
    node.hidden = !text;
  }

  function cell(row, text, cls) {
    var td = document.createElement('td');
    if (cls) {
      var span = document.createElement('span');
      span.className = cls;
      span.textContent = text;
      td.appendChild(span);
    } else {
      td.textContent = text === undefined || text === null ? '' : String(text);
    }
    row.appendChild(td);
    return td;
  }

  function when(unix) {
    if (!unix) {
      return '';
    }
    var d = typeof unix === 'number' ? new Date(unix * 1000) : new Date(unix);
    return isNaN(d.getTime()) ? String(unix) : d.toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');
  }

  function euros(cents) {
    return (Number(cents || 0) / 100).toFixed(2) + ' €';
  }

  function renderList(items) {
    var body = $('payments').tBodies[0];
    body.textContent = '';
    $('empty').hidden = items.length > 0;
    items.forEach(function (item) {
      var p = item.payment || {};
      var tr = document.createElement('tr');
      tr.className = 'payment' + (p.id === selected ? ' selected' : '');
      tr.setAttribute('data-payment-id', p.id || '');
      cell(tr, when(p.created)).className = 'at';
      idCell(tr, p.id);
      cell(tr, euros(p.purchase_amount)).className = 'num';
      cell(tr, p.installments_count).className = 'num';
      cell(tr, p.expired_at ? p.state + ' (cancelled)' : p.state, 'state ' + p.state).className = 'num';
      idCell(tr, (item.sandbox || {}).scenario || '');
      var m = cell(tr, (item.sandbox || {}).merchant_id || '');
      m.className = 'merchant';
      m.title = (item.sandbox || {}).merchant_id || '';
      tr.addEventListener('click', function () {
        select(p.id);
      });
      body.appendChild(tr);
    });
  }

  // idCell shows an id (a payment's, a scenario's) on one line, cut with an
  // ellipsis when the column is narrow; the full id is its tooltip.
  function idCell(row, id) {
    var td = cell(row, id || '');
    td.className = 'id';
    td.title = id || '';
    return td;
  }

  function field(dl, name, value) {
    var dt = document.createElement('dt');
    dt.textContent = name;
    var dd = document.createElement('dd');
    dd.textContent = value === undefined || value === null ? '' : String(value);
    dl.appendChild(dt);
    dl.appendChild(dd);
  }

  // timeline is the payment's events, oldest first, at the emulator's
  // time (its clock and the payment's own offset).
  function timeline(item) {
    return ((item.sandbox || {}).events || []).map(function (e) {
      return { at: e.at, what: e.kind, detail: e.detail || '' };
    }).sort(byTime);
  }

  // calls merges the payment's requests from the journal and its IPN
  // deliveries, oldest first, on the emulator's clock (without the
  // payment's own advance).
  function calls(item, journal) {
    var rows = [];
    ((item.sandbox || {}).ipn || []).forEach(function (d) {
      var ok = d.status >= 200 && d.status < 300;
      var took = d.duration_ms !== undefined ? ' in ' + Number(d.duration_ms).toFixed(1) + ' ms' : '';
      var answer = d.answer ? ' · ' + d.answer.slice(0, 80) : '';
      rows.push({ at: d.at, what: 'ipn #' + d.attempt, detail: 'status ' + (d.status || '-') + took + (d.error ? ' ' + d.error : '') + (d.signature_ok === false ? ' (bad signature)' : '') + answer, cls: ok ? 'ok' : 'bad' });
    });
    journal.forEach(function (j) {
      var took = j.duration_ms !== undefined ? ' in ' + Number(j.duration_ms).toFixed(1) + ' ms' : '';
      rows.push({ at: j.at, what: j.method + ' ' + j.path, detail: j.status + took + (j.scenario ? ' · ' + j.scenario : '') });
    });
    return rows.sort(byTime);
  }

  function byTime(a, b) {
    return seconds(a.at) - seconds(b.at);
  }

  function seconds(at) {
    return typeof at === 'number' ? at : Date.parse(at) / 1000 || 0;
  }

  function fillRows(table, rows) {
    var body = $(table).tBodies[0];
    body.textContent = '';
    rows.forEach(function (r) {
      var tr = document.createElement('tr');
      cell(tr, when(r.at)).className = 'at';
      cell(tr, r.what, r.cls ? 'state ' + r.cls : '');
      cell(tr, r.detail);
      body.appendChild(tr);
    });
  }

  function renderDetail(item, journal) {
    var p = item.payment || {};
    $('detail').hidden = false;
    $('d-id').textContent = p.id;
    $('d-id').title = p.id || '';
    var dl = $('d-fields');
    dl.textContent = '';
    field(dl, 'state', p.state + (p.expired_at ? ' (expired_at ' + when(p.expired_at) + ')' : ''));
    field(dl, 'amount', euros(p.purchase_amount) + ' in ' + p.installments_count);
    field(dl, 'merchant', (item.sandbox || {}).merchant_id || '');
    field(dl, 'scenario', (item.sandbox || {}).scenario || '(happy path)');
    field(dl, 'card', (item.sandbox || {}).card_last4 ? '•••• ' + item.sandbox.card_last4 : '');
    field(dl, 'return_url', p.return_url);
    field(dl, 'ipn_callback_url', p.ipn_callback_url);
    field(dl, 'refunded', euros(p.amount_already_refunded));
    field(dl, 'clock offset', (item.sandbox || {}).clock_offset || '0s');
    $('a-page').href = p.url || '#';
    fillRows('timeline', timeline(item));
    fillRows('calls', calls(item, journal));
  }

  function loadDetail() {
    if (!selected) {
      return Promise.resolve();
    }
    var id = encodeURIComponent(selected);
    return Promise.all([
      api('GET', '/payments/' + id),
      // payment= is for a journal that filters (the emulator's ignores it
      // today): the page filters again below either way.
      api('GET', '/journal?payment=' + id + '&limit=' + journalLimit).catch(function () {
        return { data: [] };
      })
    ]).then(function (res) {
      var entries = (res[1].data || []).filter(function (j) {
        return j.payment_id === selected;
      });
      renderDetail(res[0], entries);
    });
  }

  // loadPage lists the page of payments cursors points at, and enables
  // the pager from has_more.
  function loadPage() {
    var after = cursors[cursors.length - 1];
    var q = '/payments?limit=' + pageSize + (after ? '&starting_after=' + encodeURIComponent(after) : '');
    return api('GET', q).then(function (res) {
      var items = res.data || [];
      renderList(items);
      lastShown = items.length ? (items[items.length - 1].payment || {}).id || '' : '';
      $('older').disabled = !res.has_more || !lastShown;
      $('newest').disabled = cursors.length === 1;
      $('page').textContent = 'page ' + cursors.length;
    }, function (err) {
      if (after) {
        cursors = [''];  // the page's first payment is gone (a reset): back to the newest
      }
      throw err;
    });
  }

  // loadScope shows the scope: the merchant of a key, or the operator's
  // tenants (asked without narrowing) and the narrowing select.
  function loadScope() {
    return api('GET', '/tenants', undefined, true).then(function (res) {
      needAuth(false);
      var list = res.data || [];
      if (isKey(credential)) {
        var me = list[0] || {};
        $('scope').textContent = 'merchant ' + (me.merchant_id || '?') + (me.name ? ' (' + me.name + ')' : '');
        $('tenants-box').hidden = true;
        $('narrow-box').hidden = true;
        return;
      }
      $('scope').textContent = 'operator' + (credential ? ' (admin token)' : '') + ': ' + (narrowed ? narrowed + ' only' : 'every tenant');
      renderTenants(list);
    });
  }

  // renderTenants fills the operator's tenants table and narrowing select.
  function renderTenants(list) {
    $('tenants-box').hidden = false;
    $('narrow-box').hidden = false;
    var body = $('tenants').tBodies[0];
    body.textContent = '';
    var select = $('narrow');
    select.textContent = '';
    var every = document.createElement('option');
    every.value = '';
    every.textContent = 'every tenant';
    select.appendChild(every);
    list.forEach(function (tn) {
      var tr = document.createElement('tr');
      tr.className = 'tenant' + (tn.merchant_id === narrowed ? ' selected' : '');
      tr.setAttribute('data-merchant-id', tn.merchant_id || '');
      idCell(tr, tn.merchant_id);
      cell(tr, tn.name);
      cell(tr, tn.key);
      cell(tr, tn.payments).className = 'num';
      cell(tr, tn.clock_offset).className = 'num';
      tr.addEventListener('click', function () {
        narrow(tn.merchant_id === narrowed ? '' : tn.merchant_id);
      });
      body.appendChild(tr);
      var o = document.createElement('option');
      o.value = tn.merchant_id || '';
      o.textContent = (tn.merchant_id || '') + (tn.name ? ' (' + tn.name + ')' : '');
      select.appendChild(o);
    });
    select.value = narrowed;
  }

  // narrow scopes every later call of the operator to one tenant ('':
  // every tenant).
  function narrow(id) {
    narrowed = id || '';
    rescope();
  }

  // rescope starts over in a new scope: first page, no payment selected.
  function rescope() {
    cursors = [''];
    selected = '';
    $('detail').hidden = true;
    flash('');
    tables();
    refresh();
  }

  function refresh() {
    return Promise.all([
      loadScope(),
      loadPage(),
      api('GET', '/clock').then(function (c) {
        $('clock').textContent = when(c.now) + (c.offset && c.offset !== '0s' ? ' (+' + c.offset + ')' : '');
      }).catch(function () {
        $('clock').textContent = '?';
      }),
      loadDetail()
    ]).catch(function (err) {
      flash(err.message, 'bad');
    });
  }

  function select(id) {
    selected = id;
    flash('');
    refresh();
  }

  // act runs an admin call, then says in one line what it did (said, a
  // function of the answer giving [text, tone]) and refreshes.
  function act(method, path, body, said) {
    return api(method, path, body).then(function (res) {
      var s = said(res || {});
      flash(s[0], s[1]);
    }).catch(function (err) {
      flash(err.message, 'bad');
    }).then(refresh);
  }

  // stateTone colours a payment state: refused red, paid or accepted green.
  function stateTone(state) {
    if (state === 'scored_no' || state === 'late' || state === 'default' || state === 'stopped') {
      return 'bad';
    }
    return state === 'in_progress' || state === 'paid' || state === 'scored_yes' ? 'ok' : '';
  }

  // customerSaid words the customer step's answer.
  function customerSaid(res) {
    if (res.state === 'scored_no') {
      return ['Alma refused the payment (scored_no)', 'bad'];
    }
    if (res.outcome === 'refused') {
      return ['card refused: ' + (res.error_code || 'refused') + ' (still ' + res.state + ')', 'bad'];
    }
    if (res.outcome === 'closed') {
      return ['the customer closed the widget (' + res.state + ')', ''];
    }
    return ['card accepted: ' + res.state, stateTone(res.state)];
  }

  // paymentSaid words an answer holding the payment.
  function paymentSaid(what) {
    return function (res) {
      var p = res.payment || {};
      return [what + ': ' + (p.id || selected) + ' is ' + p.state, stateTone(p.state)];
    };
  }

  function onPayment(suffix, body, said) {
    if (selected) {
      act('POST', '/payments/' + encodeURIComponent(selected) + suffix, body, said);
    }
  }

  $('a-pay').addEventListener('click', function () {
    var c = $('a-card').value.split('|');
    onPayment('/customer', { action: 'pay', card: { number: c[0], expiry: c[1], cvc: c[2] } }, customerSaid);
  });
  $('a-close').addEventListener('click', function () {
    onPayment('/customer', { action: 'close' }, customerSaid);
  });
  $('a-force').addEventListener('click', function () {
    onPayment('/state', { state: $('a-state').value }, paymentSaid('forced'));
  });
  $('a-resend').addEventListener('click', function () {
    var bad = $('a-bad-signature').checked;
    onPayment('/ipn', { bad_signature: bad }, function (res) {
      var last = (res.data || [])[(res.data || []).length - 1] || {};
      var ok = last.status >= 200 && last.status < 300;
      return ['IPN resent' + (bad ? ' with a bad signature' : '') + ': ' + (last.status || last.error || 'no answer'), ok ? 'ok' : 'bad'];
    });
  });
  $('a-advance').addEventListener('click', function () {
    onPayment('/advance', { by: $('a-by').value }, paymentSaid('clock advanced by ' + $('a-by').value));
  });
  $('clock-advance').addEventListener('click', function () {
    act('POST', '/clock/advance', { by: $('clock-by').value }, function (c) {
      return ['clock now ' + when(c.now) + ' (+' + c.offset + ')', ''];
    });
  });
  $('alma-down').addEventListener('click', function () {
    act('POST', '/chaos', { rules: [{ operation: '*', status: 503, duration: '10m' }] }, function (res) {
      var rule = res.added && res.added[0];
      return ['Alma is down: every API call answers 503' + (rule ? ' until ' + when(Date.parse(rule.until) / 1000) : ''), 'bad'];
    });
  });
  $('alma-back').addEventListener('click', function () {
    act('DELETE', '/chaos', {}, function () {
      return ['Alma is back: every outage lifted', 'ok'];
    });
  });
  $('refresh').addEventListener('click', refresh);
  $('reset').addEventListener('click', function () {
    var whose = isKey(credential) || narrowed ? 'this merchant\'s' : 'every tenant\'s';
    if (window.confirm('Forget ' + whose + ' payments, journal and armed scenarios?')) {
      selected = '';
      $('detail').hidden = true;
      act('POST', '/reset', {}, function () {
        return ['payments, journal and armed scenarios forgotten; the clock is real time', ''];
      });
    }
  });
  $('auto').addEventListener('change', schedule);
  $('older').addEventListener('click', function () {
    if (lastShown) {
      cursors.push(lastShown);
      refresh();
    }
  });
  $('newest').addEventListener('click', function () {
    cursors = [''];
    refresh();
  });
  $('narrow').addEventListener('change', function () {
    narrow($('narrow').value);
  });
  $('auth').addEventListener('submit', function (event) {
    event.preventDefault();
    credential = $('auth-value').value.trim();
    $('auth-value').value = '';
    try {
      window.sessionStorage.setItem(authItem, credential);
    } catch (e) {}
    narrowed = '';
    rescope();
  });
  $('auth-forget').addEventListener('click', function () {
    credential = '';
    try {
      window.sessionStorage.removeItem(authItem);
    } catch (e) {}
    narrowed = '';
    rescope();
  });

  function schedule() {
    if (timer) {
      window.clearInterval(timer);
      timer = null;
    }
    if ($('auto').checked) {
      timer = window.setInterval(refresh, 2000);
    }
  }

  // tables fills the state and card lists from the emulator's own tables
  // (GET /__admin/tables), so they never drift from its Go tables.
  function tables() {
    api('GET', '/tables').then(function (t) {
      var states = $('a-state');
      states.textContent = '';
      (t.states || []).forEach(function (st) {
        var o = document.createElement('option');
        o.textContent = st;
        states.appendChild(o);
      });
      var cards = $('a-card');
      cards.textContent = '';
      (t.test_cards || []).forEach(function (c) {
        var o = document.createElement('option');
        var n = c.number.replace(/(\d{4})(?=\d)/g, '$1 ');
        o.value = n + '|04/42|424';
        o.textContent = c.outcome ? '…' + c.number.slice(-4) + ' ' + c.outcome : n.slice(0, 4) + '… accepted';
        cards.appendChild(o);
      });
    }).catch(function () {});
  }

  tables();
  schedule();
  refresh();
})();
