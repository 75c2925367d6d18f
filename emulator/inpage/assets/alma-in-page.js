/*
 * alma-sandbox In-Page widget: the same global and calls as Alma's
 * @alma/in-page@2.x UMD build, served by the emulator.
 *
 *   const inPage = Alma.InPage.initialize({merchantId, amountInCents,
 *     installmentsCount, deferredDays, deferredMonths, selector,
 *     environment, locale, onIntegratedPayButtonClicked});
 *   inPage.startPayment({paymentId, onUserCloseModal, onPaymentSucceeded,
 *     onPaymentRejected});
 *   inPage.unmount();
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
 */
(function (root) {
  'use strict';

  // The emulator's base URL, from this script's own src: works from
  // /in-page/alma-in-page.js and from the CDN path alike.
  var base = (function () {
    var script = document.currentScript;
    var src = script && script.src ? script.src : '';
    var suffixes = ['/in-page/alma-in-page.js', '/npm/@alma/in-page@2.x/dist/index.umd.js'];
    for (var i = 0; i < suffixes.length; i++) {
      var at = src.indexOf(suffixes[i]);
      if (at > 0) {
        return src.slice(0, at);
      }
    }
    try {
      return new URL(src).origin;
    } catch (e) {
      return window.location.origin;
    }
  })();
  var baseOrigin = (function () {
    try {
      return new URL(base).origin;
    } catch (e) {
      return window.location.origin;
    }
  })();

  var texts = {
    fr: { plan: 'Payer en {n} fois', today: "aujourd'hui", then: 'puis', pay: 'Payer en {n} fois avec Alma', close: 'Fermer' },
    en: { plan: 'Pay in {n} installments', today: 'today', then: 'then', pay: 'Pay in {n} installments with Alma', close: 'Close' }
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

  function initialize(options) {
    var opts = options || {};
    var container = opts.selector ? document.querySelector(opts.selector) : null;
    var plan = container ? renderPlan(container, opts) : null;
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
      closeModal();
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
          }
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

  root.Alma = root.Alma || {};
  root.Alma.InPage = { initialize: initialize };
})(window);
