/*
 * alma-sandbox In-Page widget: the same module and calls as Alma's
 * @alma/in-page@2.x UMD build, served by the emulator.
 *
 * Loaded as Alma's build loads: by a plain <script> it sets the global
 * Alma.InPage; under requirejs (an AMD define, as Magento loads it) it is an
 * anonymous module whose value has initialize (Magento calls
 * Alma.initialize on it) and sets no global; under CommonJS it fills
 * module.exports.
 *
 *   const inPage = Alma.InPage.initialize({merchantId, amountInCents,
 *     installmentsCount, deferredDays, deferredMonths, selector,
 *     environment, locale, onIntegratedPayButtonClicked});
 *   inPage.startPayment({paymentId, onUserCloseModal, onPaymentSucceeded,
 *     onPaymentRejected});
 *   inPage.unmount();
 *
 * selector is an element id, with or without '#' (PrestaShop passes the bare
 * id, WooCommerce and Magento '#id'): like Alma's build, initialize throws
 * when no element has that id, so a class or other CSS selector fails here
 * as it would at Alma. merchantId is checked against the emulator's merchant
 * (GET /in-page/merchants/{id}): an unknown one shows an error in the
 * selector's element, logs it, and startPayment opens no modal. Alma's
 * widget takes no failure callback, so none is called.
 *
 * merchantID and paymentID (as in the package's README) are read too.
 * onPaymentSucceeded and onPaymentRejected (Alma's scoring refused: the page
 * shows the refusal, then the modal closes), when given, run just before the
 * browser goes to redirect_url (return_url, or for a refusal
 * failure_return_url, with ?pid=; unconfirmed against Alma's widget: the
 * sandbox always redirects). Escape, or a click on the overlay around the
 * page, closes the modal as its close button does.
 * initialize shows the payment plan in the merchant's selector. startPayment
 * opens a modal holding an iframe of the emulator's payment page (/pay/{id}),
 * as Alma's widget does: the card is typed in the emulator's origin, never in
 * the merchant's page, so this script never sees the card number. The page
 * tells this script the outcome by postMessage, to the merchant page's origin
 * only (passed as ?parent=): accepted (the browser goes to redirect_url, i.e.
 * return_url?pid=...) or closed (onUserCloseModal runs).
 * startPayment also asks, as Alma's build does, where the customer goes
 * afterwards: GET /v1/checkout/payments/{id}/return-urls with X-Alma-Agent
 * (public, any origin); the page's own redirect wins, these URLs are the
 * fallback, and a failed call changes nothing else.
 */
(function (root, script, factory) {
  'use strict';
  if (typeof exports === 'object' && typeof module !== 'undefined') {
    factory(exports, script);
  } else if (typeof define === 'function' && define.amd) {
    define(['exports'], function (exports) {
      factory(exports, script);
    });
  } else {
    root.Alma = root.Alma || {};
    root.Alma.InPage = {};
    factory(root.Alma.InPage, script);
  }
})(typeof globalThis !== 'undefined' ? globalThis : this,
  // This script's own element, read now: under requirejs the factory runs
  // later, when document.currentScript is no longer this script.
  typeof document !== 'undefined' ? document.currentScript : null,
  function (exports, script) {
  'use strict';

  // scriptPath matches the paths the emulator serves this script at: its
  // own, and the CDN build's at any 2.x version, with or without /npm.
  var scriptPath = /(?:\/in-page\/alma-in-page\.js|(?:\/npm)?\/@alma\/in-page@[^/]*\/dist\/index\.umd\.js)$/;

  // pageOrigin is the merchant page's origin ('' outside a browser, where
  // a CommonJS bundle may load this module before any page exists).
  function pageOrigin() {
    return typeof window !== 'undefined' ? window.location.origin : '';
  }

  // The emulator's base URL, from this script's own src.
  var base = (function () {
    try {
      var url = new URL(script && script.src ? script.src : '');
      var at = url.pathname.search(scriptPath);
      return url.origin + (at > 0 ? url.pathname.slice(0, at) : '');
    } catch (e) {
      return pageOrigin();
    }
  })();
  var baseOrigin = (function () {
    try {
      return new URL(base).origin;
    } catch (e) {
      return pageOrigin();
    }
  })();

  var texts = {
    fr: { plan: 'Payer en {n} fois', today: "aujourd'hui", then: 'puis', pay: 'Payer en {n} fois avec Alma', close: 'Fermer', unknown: 'Alma : identifiant marchand inconnu ({id}). Vérifiez le merchantId passé à Alma.InPage.initialize.' },
    en: { plan: 'Pay in {n} installments', today: 'today', then: 'then', pay: 'Pay in {n} installments with Alma', close: 'Close', unknown: 'Alma: unknown merchant id ({id}). Check the merchantId given to Alma.InPage.initialize.' }
  };

  function lang(locale) {
    var l = String(locale || navigator.language || 'fr').toLowerCase();
    return l.indexOf('fr') === 0 ? 'fr' : 'en';
  }

  function money(cents, locale) {
    try {
      return new Intl.NumberFormat(lang(locale) === 'fr' ? 'fr-FR' : 'en-GB', { style: 'currency', currency: 'EUR' }).format(cents / 100);
    } catch (e) {
      return (cents / 100).toFixed(2) + ' EUR';
    }
  }

  // split divides an amount into n installments the way Alma does: the first
  // one carries the remainder (200000 in 3 -> 66668, 66666, 66666).
  function split(amount, n) {
    n = Math.max(1, Math.floor(n || 1));
    var each = Math.floor(amount / n);
    var out = [amount - each * (n - 1)];
    for (var i = 1; i < n; i++) {
      out.push(each);
    }
    return out;
  }

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      node.setAttribute(k, attrs[k]);
    });
    if (text !== undefined) {
      node.textContent = text;
    }
    return node;
  }

  function fill(template, n) {
    return template.replace('{n}', String(n));
  }

  // renderPlan draws the plan summary ("4 x 60,00 EUR") in the container.
  function renderPlan(container, opts) {
    var t = texts[lang(opts.locale)];
    var n = opts.installmentsCount || 4;
    var parts = split(Number(opts.amountInCents) || 0, n);
    var box = el('div', { 'class': 'alma-in-page', 'data-alma-sandbox': 'plan' });
    box.style.cssText = 'font-family:system-ui,sans-serif;border:1px solid #ddd;border-radius:8px;padding:12px;max-width:360px';
    box.appendChild(el('strong', {}, fill(t.plan, n)));
    var line = money(parts[0], opts.locale) + ' ' + t.today;
    if (n > 1) {
      line += ', ' + t.then + ' ' + (n - 1) + ' x ' + money(parts[1], opts.locale);
    }
    box.appendChild(el('div', { 'class': 'alma-in-page-plan' }, line));
    if (typeof opts.onIntegratedPayButtonClicked === 'function') {
      var button = el('button', { type: 'button', 'class': 'alma-in-page-pay' }, fill(t.pay, n));
      button.style.cssText = 'margin-top:8px;padding:8px 12px;background:#fa5022;color:#fff;border:0;border-radius:6px;cursor:pointer';
      button.addEventListener('click', function () {
        opts.onIntegratedPayButtonClicked();
      });
      box.appendChild(button);
    }
    container.appendChild(box);
    return box;
  }

  // openModal shows the payment page of paymentId in an iframe over the page.
  function openModal(paymentId, locale) {
    var short = String(paymentId).replace(/^payment_/, '');
    var overlay = el('div', { 'class': 'alma-in-page-modal', 'data-alma-sandbox': 'modal' });
    overlay.style.cssText = 'position:fixed;inset:0;background:rgba(0,0,0,.55);display:flex;align-items:center;justify-content:center;z-index:2147483647';
    var frame = el('iframe', {
      // parent: the page's origin, the one the payment page tells the
      // outcome to (and no other).
      src: base + '/pay/' + encodeURIComponent(short) + '?embed=1&locale=' + encodeURIComponent(lang(locale)) +
        '&parent=' + encodeURIComponent(window.location.origin),
      title: 'Alma',
      'class': 'alma-in-page-frame'
    });
    frame.style.cssText = 'width:min(440px,96vw);height:min(680px,96vh);border:0;border-radius:12px;background:#fff';
    // data-loaded tells test drivers (and curious merchants) that the
    // payment page is in the frame.
    frame.addEventListener('load', function () {
      frame.setAttribute('data-loaded', 'true');
    });
    overlay.appendChild(frame);
    document.body.appendChild(overlay);
    return { overlay: overlay, frame: frame };
  }

  // container finds the element of selector the way Alma's build does: as
  // an element id, without its first '#'. None is an error Alma throws too.
  function container(selector) {
    var id = typeof selector === 'string' ? selector.replace('#', '') : '';
    var found = id ? document.getElementById(id) : null;
    if (!found) {
      throw new Error('Alma.InPage.initialize: no element has the id of selector ' + JSON.stringify(selector) +
        ' (give the id of the element to draw the plan in, "my-id" or "#my-id"; classes and other CSS selectors are not looked up)');
    }
    return found;
  }

  // checkMerchant asks the emulator whether merchantId is a merchant it
  // knows; it resolves false only when the emulator says it is not (an
  // emulator that cannot be reached gets the benefit of the doubt).
  function checkMerchant(merchantId) {
    var id = String(merchantId === undefined || merchantId === null ? '' : merchantId);
    if (!id) {
      return Promise.resolve(false);
    }
    return fetch(base + '/in-page/merchants/' + encodeURIComponent(id)).then(function (res) {
      return res.status !== 404;
    }, function () {
      return true;
    });
  }

  // agent is the X-Alma-Agent this widget sends, as Alma's browser code
  // names itself (the exact 2.x string is not public: our choice).
  var agent = 'Alma In-Page/2 (alma-sandbox)';

  // returnUrls asks the emulator where the customer goes after the modal,
  // as Alma's widget asks its API: {return_url, failure_return_url,
  // customer_cancel_url, origin}; {} when the call fails.
  function returnUrls(paymentId) {
    var url = base + '/v1/checkout/payments/' + encodeURIComponent(paymentId) + '/return-urls';
    return fetch(url, { headers: { Accept: 'application/json', 'X-Alma-Agent': agent } }).then(function (res) {
      return res.ok ? res.json() : {};
    }).catch(function () {
      return {};
    });
  }

  // withPid adds pid=<paymentId> to a return URL, as Alma does ('' when
  // there is none or it is not a URL).
  function withPid(raw, paymentId) {
    try {
      var u = new URL(raw);
      u.searchParams.set('pid', paymentId);
      return u.toString();
    } catch (e) {
      return '';
    }
  }

  // renderUnknownMerchant puts an error in place of the plan for a
  // merchant id the emulator does not know (Alma's embedded plan fails to
  // load for one; its wording is not public), and logs it.
  function renderUnknownMerchant(box, opts, id) {
    var message = texts[lang(opts.locale)].unknown.replace('{id}', String(id));
    var error = el('div', { 'class': 'alma-in-page-error', 'data-alma-sandbox': 'error', role: 'alert' }, message);
    error.style.cssText = 'font-family:system-ui,sans-serif;border:1px solid #c62828;color:#c62828;border-radius:8px;padding:12px;max-width:360px';
    box.replaceChildren(error);
    console.error(message);
  }

  function initialize(options) {
    var opts = options || {};
    var box = container(opts.selector);
    var merchantId = opts.merchantId !== undefined ? opts.merchantId : opts.merchantID;
    var plan = renderPlan(box, opts);
    var known = checkMerchant(merchantId).then(function (ok) {
      if (!ok && plan) {
        renderUnknownMerchant(box, opts, merchantId);
        plan = null;
      }
      return ok;
    });
    var modal = null;
    var listener = null;
    var onKey = null;

    function closeModal() {
      if (listener) {
        window.removeEventListener('message', listener);
        listener = null;
      }
      if (onKey) {
        document.removeEventListener('keydown', onKey);
        onKey = null;
      }
      if (modal && modal.overlay.parentNode) {
        modal.overlay.parentNode.removeChild(modal.overlay);
      }
      modal = null;
    }

    function startPayment(args) {
      var a = args || {};
      var paymentId = a.paymentId || a.paymentID;
      if (!paymentId) {
        throw new Error('Alma.InPage: startPayment needs a paymentId');
      }
      known.then(function (ok) {
        if (ok) {
          open(a, paymentId);
        } else {
          console.error('Alma.InPage: startPayment refused: merchant id ' + JSON.stringify(merchantId) + ' is unknown');
        }
      });
    }

    // open shows the modal of paymentId and follows its outcome.
    function open(a, paymentId) {
      closeModal();
      var urls = returnUrls(paymentId);
      modal = openModal(paymentId, opts.locale);
      var frame = modal.frame;
      listener = function (event) {
        if (event.origin !== baseOrigin || event.source !== frame.contentWindow) {
          return;
        }
        var data = event.data || {};
        var outcome = data.type === 'alma-sandbox:rejected' || data.state === 'scored_no' ? 'rejected' : 'succeeded';
        if ((data.type === 'alma-sandbox:accepted' || data.type === 'alma-sandbox:rejected') && typeof data.redirectUrl === 'string') {
          closeModal();
          var done = outcome === 'rejected' ? a.onPaymentRejected : a.onPaymentSucceeded;
          if (typeof done === 'function') {
            done();
          }
          if (data.redirectUrl) {
            window.location.assign(data.redirectUrl);
            return;
          }
          urls.then(function (u) {
            var fallback = outcome === 'rejected' ? u.failure_return_url || u.return_url : u.return_url;
            if (fallback && withPid(fallback, paymentId)) {
              window.location.assign(withPid(fallback, paymentId));
            }
          });
        } else if (data.type === 'alma-sandbox:closed') {
          userClosed();
        }
      };
      window.addEventListener('message', listener);

      function userClosed() {
        closeModal();
        if (typeof a.onUserCloseModal === 'function') {
          a.onUserCloseModal();
        }
      }

      // askClose closes as the page's close button does: the page records
      // the customer's close and tells back (alma-sandbox:closed). Before
      // the page is there, the modal just closes.
      function askClose() {
        if (frame.getAttribute('data-loaded') !== 'true' || !frame.contentWindow) {
          userClosed();
          return;
        }
        frame.contentWindow.postMessage({ type: 'alma-sandbox:close' }, baseOrigin);
      }
      var overlay = modal.overlay;
      overlay.addEventListener('click', function (event) {
        if (event.target === overlay) {
          askClose();
        }
      });
      onKey = function (event) {
        if (event.key === 'Escape') {
          askClose();
        }
      };
      document.addEventListener('keydown', onKey);
    }

    function unmount() {
      closeModal();
      if (plan && plan.parentNode) {
        plan.parentNode.removeChild(plan);
      }
      plan = null;
    }

    return { startPayment: startPayment, unmount: unmount };
  }

  exports.initialize = initialize;
});
