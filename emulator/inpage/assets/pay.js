/*
 * alma-sandbox payment page, served at /pay/{short}: the hosted page of a
 * redirect integration and, with ?embed=1, the content of the In-Page modal.
 *
 * It reads the payment with GET /pay/{id}/payment and sends the customer's
 * step with POST /pay/{id} (JSON only): its own routes, never the admin
 * API, so it works on an emulator started with --admin-token. The card number
 * goes into that one request and nowhere else: it is never logged, stored or
 * posted to the merchant's page (the emulator keeps only the last four
 * digits).
 *
 * In the In-Page modal (?embed=1) it tells the widget the outcome with
 * postMessage, to the one origin the widget names in ?parent= and to no
 * other: a site that frames this page learns nothing. Without a parent
 * (or with one that is not an origin) it behaves as the hosted page.
 */
(function () {
  'use strict';

  var params = new URLSearchParams(window.location.search);
  var embedded = params.get('embed') === '1' && window.parent !== window;
  var parentOrigin = embedded ? originOf(params.get('parent')) : '';
  var base = window.location.origin + window.location.pathname.replace(/\/pay\/[^/]*$/, '');
  var paymentId = 'payment_' + decodeURIComponent(window.location.pathname.split('/').pop() || '');
  var payment = null;
  var busy = false;

  // The refusal a customer sees, per card error code, as Alma's page shows it.
  var refusals = {
    fr: {
      card_declined: 'Votre carte a été refusée par votre banque. Essayez une autre carte.',
      insufficient_funds: 'Paiement refusé : fonds insuffisants. Essayez une autre carte.',
      expired_card: 'Votre carte a expiré. Essayez une autre carte.',
      incorrect_cvc: 'Le cryptogramme visuel (CVC) est incorrect.',
      incorrect_number: 'Le numéro de carte est incorrect.',
      incorrect_expiration_date: "La date d'expiration est incorrecte.",
      three_d_s_impossible: "L'authentification 3D Secure de votre carte est impossible. Essayez une autre carte.",
      other: 'Le paiement a été refusé.'
    },
    en: {
      card_declined: 'Your card was declined by your bank. Please try another card.',
      insufficient_funds: 'Payment declined: insufficient funds. Please try another card.',
      expired_card: 'Your card has expired. Please try another card.',
      incorrect_cvc: "Your card's security code (CVC) is incorrect.",
      incorrect_number: 'Your card number is incorrect.',
      incorrect_expiration_date: "Your card's expiration date is incorrect.",
      three_d_s_impossible: '3D Secure authentication of your card is impossible. Please try another card.',
      other: 'The payment was declined.'
    }
  };

  var texts = {
    fr: {
      title: 'Payer {amount} en {n} fois', merchant: 'chez {m}', number: 'Numéro de carte', expiry: 'Expiration (MM/AA)',
      submit: 'Payer {amount}', paying: 'Paiement…', today: "Aujourd'hui", loading: 'Chargement…',
      notFound: 'Paiement introuvable.', failed: 'Le service ne répond pas ({s}). Réessayez.', paid: 'Paiement accepté.',
      refused: "Alma a refusé le paiement en plusieurs fois. Vous allez être redirigé vers la boutique.",
      authorised: 'Ce paiement est déjà accepté par Alma : il ne reste rien à saisir.',
      reviewing: "Alma étudie ce paiement : la boutique vous informera de sa décision.",
      done: 'Ce paiement est déjà réglé : la première échéance a été payée.', paidAll: 'Ce paiement est déjà réglé en totalité.',
      settled: "Ce paiement n'attend plus de règlement.", wasRefused: 'Alma a refusé ce paiement en plusieurs fois.',
      cancelled: 'Ce paiement a été annulé.', closed: 'Paiement abandonné.', back: 'Retour à la boutique',
      hint: 'Sandbox : carte de test 4242 4242 4242 4242, 04/42, 424.', close: 'Fermer'
    },
    en: {
      title: 'Pay {amount} in {n} installments', merchant: 'at {m}', number: 'Card number', expiry: 'Expiry (MM/YY)',
      submit: 'Pay {amount}', paying: 'Paying…', today: 'Today', loading: 'Loading…',
      notFound: 'Payment not found.', failed: 'The service does not answer ({s}). Please try again.', paid: 'Payment accepted.',
      refused: 'Alma declined the payment in installments. You are being sent back to the shop.',
      authorised: 'Alma has already accepted this payment: there is nothing left to enter.',
      reviewing: 'Alma is reviewing this payment: the shop will tell you its decision.',
      done: 'This payment is already paid: the first installment was paid.', paidAll: 'This payment is already paid in full.',
      settled: 'This payment no longer awaits a payment.', wasRefused: 'Alma declined this payment in installments.',
      cancelled: 'This payment was cancelled.', closed: 'Payment abandoned.', back: 'Back to the shop',
      hint: 'Sandbox: test card 4242 4242 4242 4242, 04/42, 424.', close: 'Close'
    }
  };

  function lang() {
    var l = String(params.get('locale') || (payment && payment.locale) || navigator.language || 'fr').toLowerCase();
    return l.indexOf('fr') === 0 ? 'fr' : 'en';
  }

  function t(key, vars) {
    var s = texts[lang()][key] || key;
    Object.keys(vars || {}).forEach(function (k) {
      s = s.replace('{' + k + '}', vars[k]);
    });
    return s;
  }

  function $(id) {
    return document.getElementById(id);
  }

  function money(cents) {
    try {
      return new Intl.NumberFormat(lang() === 'fr' ? 'fr-FR' : 'en-GB', { style: 'currency', currency: 'EUR' }).format(cents / 100);
    } catch (e) {
      return (cents / 100).toFixed(2) + ' EUR';
    }
  }

  function day(unix) {
    try {
      return new Intl.DateTimeFormat(lang() === 'fr' ? 'fr-FR' : 'en-GB', { dateStyle: 'medium' }).format(new Date(unix * 1000));
    } catch (e) {
      return new Date(unix * 1000).toISOString().slice(0, 10);
    }
  }

  // status shows text in the status line; tone is 'ok' (green), 'bad'
  // (red) or '' (neutral).
  function status(text, tone) {
    var node = $('alma-status');
    node.textContent = text;
    node.className = tone ? 'status ' + tone : 'status';
    node.setAttribute('data-tone', tone || '');
    node.hidden = !text;
  }

  // showBack offers a link back to the shop (url: a return URL with its
  // pid), or hides it when url is empty. In the modal it leaves the frame.
  function showBack(url) {
    var link = $('alma-back');
    link.hidden = !url;
    if (!url) {
      link.removeAttribute('href');
      return;
    }
    link.textContent = t('back');
    link.href = url;
    link.target = embedded ? '_top' : '_self';
  }

  // withPid adds pid=<payment id> to a return URL, as Alma does; '' stays ''.
  function withPid(raw) {
    if (!raw) {
      return '';
    }
    try {
      var u = new URL(raw);
      u.searchParams.set('pid', paymentId);
      return u.toString();
    } catch (e) {
      return '';
    }
  }

  // showError shows a card refusal in the page's language: the message of
  // its code, else the server's message on the English page only.
  function showError(code, message) {
    var node = $('alma-error');
    var table = refusals[lang()];
    node.textContent = table[code] || (lang() === 'en' && message) || table.other;
    node.setAttribute('data-error-code', code || '');
    node.hidden = false;
  }

  // originOf is value when it is exactly an http(s) origin, else ''.
  function originOf(value) {
    try {
      var u = new URL(value || '');
      return (u.protocol === 'http:' || u.protocol === 'https:') && u.origin === value ? value : '';
    } catch (e) {
      return '';
    }
  }

  // tell informs the widget's page (In-Page) of the outcome, on its origin
  // only, and reports whether there was a page to tell.
  function tell(message) {
    if (!parentOrigin) {
      return false;
    }
    window.parent.postMessage(message, parentOrigin);
    return true;
  }

  function call(method, path, body) {
    var init = { method: method, headers: { Accept: 'application/json' } };
    if (body) {
      init.headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    // The page's own routes (same origin): POST /pay/{id} is the
    // customer's step, GET /pay/{id}/payment the payment as the page shows it.
    var page = base + '/pay/' + encodeURIComponent(paymentId.replace(/^payment_/, ''));
    var target = path === '/customer' ? page : page + '/payment';
    return fetch(target, init).then(function (res) {
      return res.json().catch(function () {
        return {};
      }).then(function (data) {
        return { status: res.status, data: data };
      });
    });
  }

  function renderPlan() {
    var plan = $('alma-plan');
    plan.textContent = '';
    (payment.payment_plan || []).forEach(function (inst, i) {
      var li = document.createElement('li');
      var when = document.createElement('span');
      when.textContent = i === 0 ? t('today') : day(inst.due_date);
      var amount = document.createElement('span');
      amount.textContent = money(inst.total_amount !== undefined ? inst.total_amount : inst.purchase_amount);
      li.appendChild(when);
      li.appendChild(amount);
      plan.appendChild(li);
    });
  }

  function render() {
    document.documentElement.lang = lang();
    var n = payment.installments_count || (payment.payment_plan || []).length || 1;
    $('alma-title').textContent = t('title', { amount: money(payment.purchase_amount), n: n });
    $('alma-merchant').textContent = payment.merchant_name ? t('merchant', { m: payment.merchant_name }) : '';
    $('alma-number-label').textContent = t('number');
    $('alma-expiry-label').textContent = t('expiry');
    $('alma-hint').textContent = t('hint');
    $('alma-close').setAttribute('aria-label', t('close'));
    var first = (payment.payment_plan || [])[0];
    $('alma-submit').textContent = t('submit', { amount: money(first ? first.total_amount : payment.purchase_amount) });
    renderPlan();
    $('alma-summary').hidden = false;
    var view = settled(payment);
    if (view) {
      $('alma-form').hidden = true;
      status(t(view.text), view.tone);
      showBack(view.back);
      return;
    }
    status('');
    showBack('');
    $('alma-form').hidden = false;
    $('alma-number').focus();
  }

  // settled is what a reopened page shows instead of the card form, for a
  // payment that no longer awaits the customer: its status and the way
  // back to the shop; null while the customer can pay.
  function settled(p) {
    var back = withPid(p.return_url);
    if (p.expired_at) {
      return { text: 'cancelled', tone: '', back: withPid(p.customer_cancel_url) || back };
    }
    switch (p.state) {
      case 'not_started':
        return null;
      case 'scored_no':
        return { text: 'wasRefused', tone: 'bad', back: withPid(p.failure_return_url) || back };
      case 'scored_yes':
        return { text: 'authorised', tone: 'ok', back: back };
      case 'scored_maybe':
        return { text: 'reviewing', tone: '', back: back };
      case 'in_progress':
        return { text: 'done', tone: 'ok', back: back };
      case 'paid':
        return { text: 'paidAll', tone: 'ok', back: back };
    }
    return { text: 'settled', tone: '', back: back };
  }

  function load() {
    status(t('loading'));
    call('GET', '').then(function (res) {
      if (res.status === 404) {
        status(t('notFound'));
        return;
      }
      if (res.status !== 200 || !res.data.id) {
        status(t('failed', { s: res.status }));
        return;
      }
      payment = res.data;
      render();
    }).catch(function () {
      status(t('failed', { s: 'network' }));
    });
  }

  function accepted(answer) {
    $('alma-form').hidden = true;
    status(t('paid'), 'ok');
    if (!answer.redirect_url) {
      return;
    }
    if (!tell({ type: 'alma-sandbox:accepted', paymentId: paymentId, state: answer.state || '', redirectUrl: answer.redirect_url })) {
      window.location.assign(answer.redirect_url);
    }
  }

  // refusalPause is how long the customer reads Alma's refusal before the
  // page hands back to the shop.
  var refusalPause = 1500;

  // rejected: Alma's scoring refused the payment after a valid card. The
  // page says so, then hands back: the widget closes (onPaymentRejected),
  // the hosted page goes to failure_return_url, else return_url, with the
  // pid, where the merchant verifies and reads scored_no.
  function rejected(answer) {
    $('alma-form').hidden = true;
    status(t('refused'), 'bad');
    var back = answer.redirect_url || withPid(payment.failure_return_url || payment.return_url);
    showBack(back);
    window.setTimeout(function () {
      if (!tell({ type: 'alma-sandbox:rejected', paymentId: paymentId, state: 'scored_no', redirectUrl: back }) && back) {
        window.location.assign(back);
      }
    }, refusalPause);
  }

  function pay(event) {
    event.preventDefault();
    if (busy) {
      return;
    }
    busy = true;
    $('alma-error').hidden = true;
    $('alma-submit').disabled = true;
    var label = $('alma-submit').textContent;
    $('alma-submit').textContent = t('paying');
    var card = { number: $('alma-number').value, expiry: $('alma-expiry').value, cvc: $('alma-cvc').value };
    call('POST', '/customer', { action: 'pay', card: card }).then(function (res) {
      var answer = res.data || {};
      if (res.status === 200 && (answer.outcome === 'accepted' || answer.state === 'scored_no')) {
        $('alma-number').value = '';
        $('alma-cvc').value = '';
      }
      if (res.status === 200 && answer.state === 'scored_no') {
        // A scoring refusal, whatever outcome says: older emulators
        // answered it as accepted.
        rejected(answer);
      } else if (res.status === 200 && answer.outcome === 'accepted') {
        accepted(answer);
      } else if (res.status === 200 && answer.outcome === 'refused') {
        showError(answer.error_code, answer.message);
      } else if (res.status === 403) {
        // The payment no longer awaits the customer (paid or decided
        // meanwhile): show its status instead of the form.
        load();
      } else {
        showError('', t('failed', { s: res.status }));
      }
    }).catch(function () {
      showError('', t('failed', { s: 'network' }));
    }).then(function () {
      busy = false;
      $('alma-submit').disabled = false;
      if ($('alma-submit').textContent === t('paying')) {
        $('alma-submit').textContent = label;
      }
    });
  }

  // closePayment records the customer's close, then hands back to the
  // merchant: onUserCloseModal (In-Page) or customer_cancel_url (hosted).
  function closePayment() {
    if (busy) {
      return;
    }
    busy = true;
    call('POST', '/customer', { action: 'close' }).catch(function () {
      return { data: {} };
    }).then(function (res) {
      busy = false;
      $('alma-form').hidden = true;
      status(t('closed'));
      if (tell({ type: 'alma-sandbox:closed', paymentId: paymentId })) {
        return;
      }
      // The emulator answers customer_cancel_url?pid=…, as Alma sends the
      // customer back after a close.
      var back = (res && res.data && res.data.redirect_url) || '';
      if (back) {
        window.location.assign(back);
      }
    });
  }

  if (embedded) {
    document.documentElement.className = 'embedded';
    // The widget asks to close (Escape or a click on its overlay): only
    // the page that framed this one, on the origin it named, may ask.
    window.addEventListener('message', function (event) {
      var data = event.data || {};
      if (parentOrigin && event.origin === parentOrigin && event.source === window.parent && data.type === 'alma-sandbox:close') {
        closePayment();
      }
    });
    document.addEventListener('keydown', function (event) {
      if (event.key === 'Escape') {
        closePayment();
      }
    });
  }
  $('alma-form').addEventListener('submit', pay);
  $('alma-close').addEventListener('click', closePayment);
  $('alma-expiry').addEventListener('input', function (e) {
    var v = e.target.value.replace(/[^0-9]/g, '').slice(0, 4);
    e.target.value = v.length > 2 ? v.slice(0, 2) + '/' + v.slice(2) : v;
  });
  load();
})();
