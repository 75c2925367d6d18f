/*
 * alma-sandbox dashboard (/__admin/ui): the payments newest first, one
 * payment's timeline (its events, the requests of the journal, the IPN
 * deliveries) and buttons that call the admin API. Plain JS; every value
 * from the API goes into the page as text, never as HTML.
 */
(function () {
  'use strict';

  var base = window.location.origin + window.location.pathname.replace(/\/__admin\/ui\/?$/, '');
  var selected = '';
  var timer = null;

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
          throw new Error(method + ' ' + path + ': ' + res.status + ' ' + (data.message || ''));
        }
        return data;
      });
    });
  }

  function flash(text, bad) {
    var node = $('flash');
    node.textContent = text;
    node.className = bad ? 'bad' : '';
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
      cell(tr, p.id);
      cell(tr, euros(p.purchase_amount));
      cell(tr, p.installments_count);
      cell(tr, p.expired_at ? p.state + ' (cancelled)' : p.state, 'state ' + p.state);
      cell(tr, (item.sandbox || {}).scenario || '');
      tr.addEventListener('click', function () {
        select(p.id);
      });
      body.appendChild(tr);
    });
  }

  function field(dl, name, value) {
    var dt = document.createElement('dt');
    dt.textContent = name;
    var dd = document.createElement('dd');
    dd.textContent = value === undefined || value === null ? '' : String(value);
    dl.appendChild(dt);
    dl.appendChild(dd);
  }

  // timeline merges the payment's events, its journal entries and its IPN
  // deliveries, oldest first.
  function timeline(item, journal) {
    var rows = [];
    var sb = item.sandbox || {};
    (sb.events || []).forEach(function (e) {
      rows.push({ at: e.at, what: e.kind, detail: e.detail || '' });
    });
    (sb.ipn || []).forEach(function (d) {
      var ok = d.status >= 200 && d.status < 300;
      rows.push({ at: d.at, what: 'ipn #' + d.attempt, detail: 'status ' + (d.status || '-') + (d.error ? ' ' + d.error : '') + (d.signature_ok === false ? ' (bad signature)' : ''), cls: ok ? 'ok' : 'bad' });
    });
    journal.forEach(function (j) {
      var took = j.duration_ms !== undefined ? ' in ' + Number(j.duration_ms).toFixed(1) + ' ms' : '';
      rows.push({ at: j.at, what: j.method + ' ' + j.path, detail: j.status + took + (j.scenario ? ' · ' + j.scenario : '') });
    });
    function key(r) {
      return typeof r.at === 'number' ? r.at : Date.parse(r.at) / 1000 || 0;
    }
    return rows.sort(function (a, b) {
      return key(a) - key(b);
    });
  }

  function renderDetail(item, journal) {
    var p = item.payment || {};
    $('detail').hidden = false;
    $('d-id').textContent = p.id;
    var dl = $('d-fields');
    dl.textContent = '';
    field(dl, 'state', p.state + (p.expired_at ? ' (expired_at ' + when(p.expired_at) + ')' : ''));
    field(dl, 'amount', euros(p.purchase_amount) + ' in ' + p.installments_count);
    field(dl, 'scenario', (item.sandbox || {}).scenario || '(happy path)');
    field(dl, 'card', (item.sandbox || {}).card_last4 ? '•••• ' + item.sandbox.card_last4 : '');
    field(dl, 'return_url', p.return_url);
    field(dl, 'ipn_callback_url', p.ipn_callback_url);
    field(dl, 'refunded', euros(p.amount_already_refunded));
    $('a-page').href = p.url || '#';
    var body = $('timeline').tBodies[0];
    body.textContent = '';
    timeline(item, journal).forEach(function (r) {
      var tr = document.createElement('tr');
      cell(tr, when(r.at)).className = 'at';
      cell(tr, r.what, r.cls ? 'state ' + r.cls : '');
      cell(tr, r.detail);
      body.appendChild(tr);
    });
  }

  function loadDetail() {
    if (!selected) {
      return Promise.resolve();
    }
    var id = encodeURIComponent(selected);
    return Promise.all([
      api('GET', '/payments/' + id),
      api('GET', '/journal?limit=1000').catch(function () {
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
      flash(err.message, true);
    });
  }

  function select(id) {
    selected = id;
    flash('');
    refresh();
  }

  // act runs an admin call, then shows its answer and refreshes.
  function act(method, path, body) {
    return api(method, path, body).then(function (res) {
      flash(method + ' /__admin' + path + ' → ' + JSON.stringify(res));
    }).catch(function (err) {
      flash(err.message, true);
    }).then(refresh);
  }

  function onPayment(suffix, body) {
    if (selected) {
      act('POST', '/payments/' + encodeURIComponent(selected) + suffix, body);
    }
  }

  $('a-pay').addEventListener('click', function () {
    var c = $('a-card').value.split('|');
    onPayment('/customer', { action: 'pay', card: { number: c[0], expiry: c[1], cvc: c[2] } });
  });
  $('a-close').addEventListener('click', function () {
    onPayment('/customer', { action: 'close' });
  });
  $('a-force').addEventListener('click', function () {
    onPayment('/state', { state: $('a-state').value });
  });
  $('a-advance').addEventListener('click', function () {
    onPayment('/advance', { by: $('a-by').value });
  });
  $('clock-advance').addEventListener('click', function () {
    act('POST', '/clock/advance', { by: $('clock-by').value });
  });
  $('refresh').addEventListener('click', refresh);
  $('reset').addEventListener('click', function () {
    if (window.confirm('Forget every payment, the journal and armed scenarios?')) {
      selected = '';
      $('detail').hidden = true;
      act('POST', '/reset', {});
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

  schedule();
  refresh();
})();
