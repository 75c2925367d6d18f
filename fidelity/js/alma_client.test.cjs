// Alma's JavaScript client, @alma/client 1.1.2, driven unchanged against the
// emulator: every call it offers, and every field of its types (dist/types)
// checked present and typed as the client declares it. Run by
// fidelity/js_test.go (make test) with ALMA_SANDBOX_URL, ALMA_JS_DIR and
// ALMA_KEY set.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');

const { Client, ApiMode } = require(path.join(process.env.ALMA_JS_DIR, 'node_modules', '@alma', 'client'));
const url = process.env.ALMA_SANDBOX_URL;
const key = process.env.ALMA_KEY;

// Types as the client's .d.ts files write them.
const str = (v) => typeof v === 'string';
const num = (v) => typeof v === 'number' && Number.isFinite(v);
const bool = (v) => typeof v === 'boolean';
const obj = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
const arr = (v) => Array.isArray(v);
const orNull = (f) => (v) => v === null || f(v);
const oneOf = (...xs) => (v) => xs.includes(v);

// check asserts that each key of shape is present in v and passes its test.
function check(where, v, shape) {
  assert.ok(obj(v), `${where} is an object`);
  for (const [k, ok] of Object.entries(shape)) {
    assert.ok(k in v, `${where}.${k} is present`);
    assert.ok(ok(v[k]), `${where}.${k} has the client's type, got ${JSON.stringify(v[k])}`);
  }
}

const states = ['not_ready', 'not_started', 'scored_no', 'scored_maybe', 'scored_yes', 'in_progress', 'paid', 'late', 'default'];

const card = (c) => c === null || (obj(c) && str(c.id) && str(c.last4));
const customerShape = {
  addresses: arr, bank_accounts: arr, banking_data_collected: bool, birth_date: orNull(str),
  business_id_number: orNull(str), business_name: orNull(str), card, cards: arr,
  collection_state: orNull(str), created: num, email: orNull(str), email_verified: bool,
  first_name: orNull(str), id: str, is_business: bool, last_name: orNull(str), phone: orNull(str),
  phone_verified: bool, primary_bank_account: orNull(obj),
};
const orderShape = {
  comment: orNull(str), created: num, customer_url: orNull(str), data: obj, id: str,
  merchant_reference: orNull(str), merchant_url: orNull(str), payment: str,
};
const installmentShape = {
  customer_fee: num, due_date: num, original_purchase_amount: num, purchase_amount: num,
  state: oneOf('pending', 'paid', 'covered'),
};
const paymentShape = {
  can_be_charged: bool, created: num, custom_data: obj, customer: obj, customer_cancel_url: str,
  customer_fee: num, deferred_days: num, deferred_months: num, id: str, installments_count: num,
  is_customer_kyced: bool, locale: str, merchant_id: str, merchant_name: str, merchant_website: orNull(str),
  orders: arr, origin: str, payment_plan: arr, preferred_payment_method: oneOf('card', 'bank_debit', null),
  purchase_amount: num, refunds: arr, requirements: arr, return_url: str, seller: orNull(obj),
  sepa_debit_enabled: bool, state: oneOf(...states), url: str, using_sepa_debit: bool,
};

function client() {
  return Client.withApiKey(key, { apiRoot: url, mode: ApiMode.TEST });
}

test('payments.create answers a Payment with every field of the client\'s type', async () => {
  const p = await client().payments.create({
    payment: {
      purchase_amount: 30000, installments_count: 3, return_url: 'https://shop.example.com/return',
      customer_cancel_url: 'https://shop.example.com/cancel', ipn_callback_url: 'http://127.0.0.1:9/ipn',
      billing_address: { first_name: 'Jeanne', last_name: 'Martin', line1: '1 rue de la Paix', postal_code: '75002', city: 'Paris', country: 'FR' },
      custom_data: { order_id: 'js-1' },
    },
    customer: { first_name: 'Jeanne', last_name: 'Martin', email: 'jeanne@example.com' },
    order: { merchant_reference: 'js-order-1', data: { cart: 'x' } },
  });
  check('payment', p, paymentShape);
  assert.equal(p.state, 'not_started');
  assert.equal(p.purchase_amount, 30000);
  assert.deepEqual(p.custom_data, { order_id: 'js-1' });
  check('payment.customer', p.customer, customerShape);
  assert.equal(p.payment_plan.length, 3);
  p.payment_plan.forEach((i, n) => check(`payment.payment_plan[${n}]`, i, installmentShape));
  assert.equal(p.orders.length, 1);
  check('payment.orders[0]', p.orders[0], orderShape);
  p.requirements.forEach((r, n) => check(`payment.requirements[${n}]`, r, { is_met: bool, name: str }));
});

test('payments.create refused: the client throws with Alma\'s message', async () => {
  await assert.rejects(client().payments.create({ payment: { installments_count: 3, return_url: 'https://shop.example.com/r', billing_address: {} } }),
    (err) => {
      assert.equal(err.response.statusCode, 400);
      assert.equal(err.response.data.errors[0].field, 'payment.purchase_amount');
      return true;
    });
  const bad = Client.withApiKey('sk_live_not_for_a_sandbox', { apiRoot: url, mode: ApiMode.TEST });
  await assert.rejects(bad.payments.create({ payment: { purchase_amount: 30000, return_url: 'https://x.example', billing_address: {} } }),
    (err) => { assert.equal(err.response.statusCode, 401); assert.ok(str(err.message), 'Alma\'s message'); return true; });
});

const eligibleShape = { eligible: bool, installments_count: num, payment_plan: arr };
const planLineShape = { purchase_amount: num, customer_fee: num, customer_interest: num, due_date: num };

test('payments.eligibility with one count answers one Eligibility', async () => {
  const e = await client().payments.eligibility({ payment: { purchase_amount: 30000, installments_count: 3 } });
  check('eligibility', e, eligibleShape);
  assert.equal(e.isEligible, true);
  assert.equal(e.installments_count, 3);
  e.payment_plan.forEach((l, n) => check(`eligibility.payment_plan[${n}]`, l, planLineShape));
});

test('payments.eligibility with several counts answers them sorted, with the public merchant id', async () => {
  const me = await fetch(url + '/v1/me', { headers: { Authorization: 'Alma-Auth ' + key } }).then((r) => r.json());
  const pub = Client.withMerchantId(me.id, { apiRoot: url, mode: ApiMode.TEST });
  const list = await pub.payments.eligibility({ payment: { purchase_amount: 30000, installments_count: [4, 3, 2] } });
  assert.ok(arr(list));
  assert.deepEqual(list.map((e) => e.installments_count), [2, 3, 4]);
  list.forEach((e, n) => check(`eligibility[${n}]`, e, { eligible: bool, installments_count: num }));
  const tooSmall = await pub.payments.eligibility({ payment: { purchase_amount: 100, installments_count: 3 } });
  assert.equal(tooSmall.isEligible, false);
});
