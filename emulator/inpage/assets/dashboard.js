/*
 * alma-sandbox dashboard (/__admin/ui): the payments newest first, one
 * payment's timeline (its events, on the emulator's clock), its calls and
 * IPN deliveries (on the wall clock, as the journal records them), and
 * buttons that call the admin API. Plain JS; every value from the API goes
 * into the page as text, never as HTML.
 */
(function () {
  'use strict';

  var base = window.location.origin + window.location.pathname.replace(/\/__admin\/ui\/?$/, '');
  var selected = '';
  var timer = null;
  // journalLimit is how many of the latest requests the detail asks for
  // (not 1000 every 2 s); the page keeps the selected payment's.
  var journalLimit = 100;

  function $(id) {
    return document.getElementById(id);
  }

  function api(method, path, body) {
    var init = { method: method, headers: { Accept: 'application/json' } };
    if (body !== undefined) {
      init.headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    return fetch(base + '/__admin' + path, init).then(function (res) {
      return res.json().catch(function () {
        return {};
      }).then(function (data) {
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

  function refresh() {
    return Promise.all([
      api('GET', '/payments?limit=50').then(function (res) {
        renderList(res.data || []);
      }),
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
    if (window.confirm('Forget every payment, the journal and armed scenarios?')) {
      selected = '';
      $('detail').hidden = true;
      act('POST', '/reset', {}, function () {
        return ['payments, journal and armed scenarios forgotten; the clock is real time', ''];
      });
    }
  });
  $('auto').addEventListener('change', schedule);

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
