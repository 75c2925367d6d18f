package emulator_test

import (
	"bufio"
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"net/http"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/alma-sandbox/alma-sandbox/emulator"
)

// ledgerPath is the fidelity ledger, docs/fidelity-ledger.md.
const ledgerPath = "../docs/fidelity-ledger.md"

// holdsJSON in a field's holds column marks JSON the merchant sent, echoed
// as is: its keys are the merchant's, not the emulator's.
const holdsJSON = "json"

// errorObject is the object every non-2xx answer is read as.
const errorObject = "error"

// ledgerRoute is one row of the ledger's endpoint table.
type ledgerRoute struct {
	Method, Path, Answers, Source string
}

// key is the route's "METHOD /path".
func (r ledgerRoute) key() string { return r.Method + " " + r.Path }

// ledgerField is one row of the ledger's field table.
type ledgerField struct {
	Object, Field, Holds, Source string
}

// key is the field's "object.field".
func (f ledgerField) key() string { return f.Object + "." + f.Field }

// ledger is the parsed docs/fidelity-ledger.md.
type ledger struct {
	routes map[string]ledgerRoute // by key
	fields map[string]ledgerField // by key
	bad    []string               // rows that cannot be read
}

// readLedger parses the ledger's two tables: the rows under a header
// `| method | path | answers | source |` and those under
// `| object | field | holds | source |`, wherever they are in the file.
func readLedger(t *testing.T, path string) *ledger {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	l := &ledger{routes: map[string]ledgerRoute{}, fields: map[string]ledgerField{}}
	table := ""
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		cells, ok := tableCells(sc.Text())
		switch {
		case !ok:
			table = ""
		case slices.Equal(cells, []string{"method", "path", "answers", "source"}):
			table = "routes"
		case slices.Equal(cells, []string{"object", "field", "holds", "source"}):
			table = "fields"
		case table == "" || strings.Trim(strings.Join(cells, ""), "-: ") == "":
		default:
			l.add(table, n, cells)
		}
	}
	require.NoError(t, sc.Err())
	return l
}

// tableCells splits a markdown table row into its trimmed cells, without
// backticks; ok is false for a line that is not a table row.
func tableCells(line string) ([]string, bool) {
	line = strings.TrimSpace(line)
	if !strings.HasPrefix(line, "|") || !strings.HasSuffix(line, "|") || len(line) < 2 {
		return nil, false
	}
	cells := strings.Split(line[1:len(line)-1], "|")
	for i, c := range cells {
		cells[i] = strings.TrimSpace(strings.ReplaceAll(c, "`", ""))
	}
	return cells, true
}

// add keeps one row of table, or notes why it cannot.
func (l *ledger) add(table string, line int, cells []string) {
	where := fmt.Sprintf("%s:%d", ledgerPath, line)
	if len(cells) != 4 {
		l.bad = append(l.bad, fmt.Sprintf("%s: %d cells, want 4", where, len(cells)))
		return
	}
	if problem := sourceProblem(cells[3]); problem != "" {
		l.bad = append(l.bad, fmt.Sprintf("%s: %s", where, problem))
	}
	if table == "routes" {
		r := ledgerRoute{Method: cells[0], Path: cells[1], Answers: cells[2], Source: cells[3]}
		if _, dup := l.routes[r.key()]; dup {
			l.bad = append(l.bad, fmt.Sprintf("%s: %s listed twice", where, r.key()))
		}
		l.routes[r.key()] = r
		return
	}
	f := ledgerField{Object: cells[0], Field: cells[1], Holds: cells[2], Source: cells[3]}
	if _, dup := l.fields[f.key()]; dup {
		l.bad = append(l.bad, fmt.Sprintf("%s: %s listed twice", where, f.key()))
	}
	l.fields[f.key()] = f
}

// sourceProblem says what is wrong with a source cell: empty, or "our
// choice" without its reason.
func sourceProblem(source string) string {
	switch {
	case source == "":
		return "no source"
	case strings.HasPrefix(source, "our choice") && len(strings.TrimLeft(strings.TrimPrefix(source, "our choice"), ":;,— ")) < 10:
		return `"our choice" without its reason`
	}
	return ""
}

// routesGo reads emulator/routes.go and returns every "METHOD /path" it
// mounts under /v1 and /v2: calls x.HandleFunc(path, h).Methods(m…) or
// x.Handle(path, h).Methods(m…), x a router or a subrouter made by
// y.PathPrefix(prefix).Subrouter(); methods are http.MethodX or constants
// of the file naming them.
func routesGo(t *testing.T) []string {
	t.Helper()
	fset := token.NewFileSet()
	file, err := parser.ParseFile(fset, "routes.go", nil, 0)
	require.NoError(t, err)
	prefix := map[string]string{"r": ""}
	methods := map[string]string{}
	var out []string
	ast.Inspect(file, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.ValueSpec:
			for i, name := range n.Names {
				if i < len(n.Values) {
					methods[name.Name] = httpMethod(n.Values[i], nil)
				}
			}
		case *ast.AssignStmt:
			if len(n.Lhs) == 1 && len(n.Rhs) == 1 {
				if id, ok := n.Lhs[0].(*ast.Ident); ok {
					if p, ok := subrouterPrefix(n.Rhs[0], prefix); ok {
						prefix[id.Name] = p
					}
				}
			}
		case *ast.CallExpr:
			out = append(out, mounted(n, prefix, methods)...)
		}
		return true
	})
	var api []string
	for _, r := range out {
		if _, path, _ := strings.Cut(r, " "); strings.HasPrefix(path, "/v1/") || strings.HasPrefix(path, "/v2/") {
			api = append(api, r)
		}
	}
	return api
}

// subrouterPrefix reads y.PathPrefix("p").Subrouter(): y's prefix plus p.
func subrouterPrefix(e ast.Expr, prefix map[string]string) (string, bool) {
	call, ok := e.(*ast.CallExpr)
	if !ok {
		return "", false
	}
	sel, ok := call.Fun.(*ast.SelectorExpr)
	if !ok || sel.Sel.Name != "Subrouter" {
		return "", false
	}
	inner, ok := sel.X.(*ast.CallExpr)
	if !ok {
		return "", false
	}
	recv, arg, ok := methodCall(inner, "PathPrefix")
	if !ok {
		return "", false
	}
	base, known := prefix[recv]
	return base + arg, known
}

// mounted reads x.HandleFunc("p", h).Methods(m…) (or Handle): one
// "METHOD prefix+p" per method; nothing for any other call.
func mounted(call *ast.CallExpr, prefix, methods map[string]string) []string {
	sel, ok := call.Fun.(*ast.SelectorExpr)
	if !ok || sel.Sel.Name != "Methods" {
		return nil
	}
	inner, ok := sel.X.(*ast.CallExpr)
	if !ok {
		return nil
	}
	recv, path, ok := methodCall(inner, "HandleFunc")
	if !ok {
		recv, path, ok = methodCall(inner, "Handle")
	}
	base, known := prefix[recv]
	if !ok || !known {
		return nil
	}
	var out []string
	for _, m := range call.Args {
		out = append(out, httpMethod(m, methods)+" "+base+path)
	}
	return out
}

// methodCall reads recv.name("literal", …): the receiver's name and the
// literal.
func methodCall(call *ast.CallExpr, name string) (string, string, bool) {
	sel, ok := call.Fun.(*ast.SelectorExpr)
	if !ok || sel.Sel.Name != name || len(call.Args) == 0 {
		return "", "", false
	}
	recv, ok := sel.X.(*ast.Ident)
	lit, isLit := call.Args[0].(*ast.BasicLit)
	if !ok || !isLit {
		return "", "", false
	}
	s, err := strconv.Unquote(lit.Value)
	return recv.Name, s, err == nil
}

// httpMethod is the method e names: http.MethodGet is GET; an identifier
// is looked up in consts.
func httpMethod(e ast.Expr, consts map[string]string) string {
	switch e := e.(type) {
	case *ast.SelectorExpr:
		return strings.ToUpper(strings.TrimPrefix(e.Sel.Name, "Method"))
	case *ast.Ident:
		return consts[e.Name]
	case *ast.BasicLit:
		s, _ := strconv.Unquote(e.Value)
		return s
	}
	return "?"
}

// walker collects the key paths the emulator writes, object by object as
// the ledger names them.
type walker struct {
	l       *ledger
	seen    map[string]bool // object.field written
	unnamed map[string]bool // object.field written as an object the ledger does not name
	wrong   map[string]string
}

// walk records the keys of v read as object (an array: each element).
func (w *walker) walk(object string, v any) {
	switch v := v.(type) {
	case []any:
		for _, e := range v {
			w.walk(object, e)
		}
	case map[string]any:
		for k, child := range v {
			w.field(object, k, child)
		}
	}
}

// field records object.k and walks its value as the object the ledger says
// it holds.
func (w *walker) field(object, k string, v any) {
	key := object + "." + k
	w.seen[key] = true
	row, listed := w.l.fields[key]
	nested := holdsObjects(v)
	switch {
	case !listed:
		if nested {
			w.unnamed[key] = true
		}
	case row.Holds == holdsJSON:
	case row.Holds == "" && nested:
		w.wrong[key] = "the emulator writes objects here: name their object in the holds column"
	case row.Holds != "" && !nested && !emptyOrNull(v):
		w.wrong[key] = fmt.Sprintf("the ledger says it holds %s objects; the emulator writes %v", row.Holds, v)
	case row.Holds != "":
		w.walk(row.Holds, v)
	}
}

// holdsObjects reports whether v is an object or an array holding one.
func holdsObjects(v any) bool {
	switch v := v.(type) {
	case map[string]any:
		return true
	case []any:
		return slices.ContainsFunc(v, holdsObjects)
	}
	return false
}

// emptyOrNull reports whether v is null or an empty array.
func emptyOrNull(v any) bool {
	list, isList := v.([]any)
	return v == nil || (isList && len(list) == 0)
}

// ledgerClient drives an emulator through its routes, recording the
// routes it drove and the keys the answers held.
type ledgerClient struct {
	t      *testing.T
	c      *client
	l      *ledger
	w      *walker
	driven map[string]bool
}

// call sends method route (its {vars} replaced by vars, in order of
// appearance: name, value, …) with body, requires status, walks the answer
// as the route's object (an error for a non-2xx status) and returns it.
func (lc *ledgerClient) call(status int, method, route string, body any, vars ...string) any {
	lc.t.Helper()
	path := route
	for i := 0; i+1 < len(vars); i += 2 {
		path = strings.Replace(path, "{"+vars[i]+"}", vars[i+1], 1)
	}
	require.NotContains(lc.t, path, "{", "%s %s: a route variable has no value", method, route)
	res := lc.c.do(method, path, body)
	require.Equal(lc.t, status, res.Status, "%s %s: %s", method, path, res.Body)
	lc.driven[method+" "+route] = true
	if status == http.StatusNoContent {
		require.Empty(lc.t, res.Body, "%s %s", method, path)
		return nil
	}
	var v any
	require.NoError(lc.t, json.Unmarshal(res.Body, &v), "%s %s: %s", method, path, res.Body)
	object := errorObject
	if status < 300 {
		r, listed := lc.l.routes[method+" "+route]
		if !listed { // reported with the other missing routes
			return v
		}
		object = r.Answers
	}
	lc.w.walk(object, v)
	return v
}

// str is v.key as a string (v a JSON object).
func str(t *testing.T, v any, key string) string {
	t.Helper()
	m, ok := v.(map[string]any)
	require.True(t, ok, "%v is not an object", v)
	s, ok := m[key].(string)
	require.True(t, ok, "%s is not a string in %v", key, m)
	return s
}

// TestFidelityLedger keeps docs/fidelity-ledger.md and the emulator in
// step: every /v1 and /v2 route routes.go mounts has its row and every
// row a route; the test drives every route and every JSON key its answers
// (and error answers) hold, object by object, has its row, and every
// field row is a key the emulator writes. Each row names its source.
func TestFidelityLedger(t *testing.T) {
	l := readLedger(t, ledgerPath)
	require.Empty(t, l.bad, "rows of the ledger to fix")
	checkRoutes(t, l, routesGo(t))

	w := &walker{l: l, seen: map[string]bool{}, unnamed: map[string]bool{}, wrong: map[string]string{}}
	lc := &ledgerClient{t: t, l: l, w: w, driven: map[string]bool{}}
	_, lc.c = open(t, fixed, func(s *emulator.Server) { s.IPNDelay = time.Hour })
	driveEveryRoute(t, lc)

	var undriven []string
	for k := range l.routes {
		if !lc.driven[k] {
			undriven = append(undriven, k)
		}
	}
	reportRows(t, "driveEveryRoute does not call these routes: add a call so their answers' fields are checked", undriven)
	checkFields(t, l, w)
}

// checkRoutes compares the ledger's endpoint table with the routes
// routes.go mounts.
func checkRoutes(t *testing.T, l *ledger, mounted []string) {
	require.NotEmpty(t, mounted, "no route found in routes.go: has the way routes are mounted changed?")
	var missing, extra []string
	for _, r := range mounted {
		if _, ok := l.routes[r]; !ok {
			method, path, _ := strings.Cut(r, " ")
			missing = append(missing, fmt.Sprintf("| %s | %s | OBJECT | SOURCE |", method, path))
		}
	}
	for k := range l.routes {
		if !slices.Contains(mounted, k) {
			extra = append(extra, k)
		}
	}
	reportRows(t, "routes.go mounts routes the ledger's endpoint table lacks; add these rows (OBJECT: what a 2xx answer holds, — for none)", missing)
	reportRows(t, "the ledger lists routes routes.go does not mount; remove their rows", extra)
}

// checkFields compares the ledger's field table with the keys the walker
// saw.
func checkFields(t *testing.T, l *ledger, w *walker) {
	var missing, unwritten, wrong []string
	for k := range w.seen {
		if _, ok := l.fields[k]; !ok {
			object, field, _ := strings.Cut(k, ".")
			holds := ""
			if w.unnamed[k] {
				holds = "OBJECT"
			}
			missing = append(missing, fmt.Sprintf("| %s | %s | %s | SOURCE |", object, field, holds))
		}
	}
	for k := range l.fields {
		if !w.seen[k] {
			unwritten = append(unwritten, k)
		}
	}
	for k, why := range w.wrong {
		wrong = append(wrong, k+": "+why)
	}
	reportRows(t, "the emulator writes fields the ledger lacks; add these rows (OBJECT: the name of the objects it holds, then list their fields too)", missing)
	reportRows(t, "the ledger lists fields the emulator never writes (or driveEveryRoute never makes it write); remove their rows or add a call", unwritten)
	reportRows(t, "ledger rows whose holds column disagrees with what the emulator writes", wrong)
}

// reportRows fails t with what, then each of rows (sorted) on its own line,
// unless there is none.
func reportRows(t *testing.T, what string, rows []string) {
	t.Helper()
	if len(rows) == 0 {
		return
	}
	sort.Strings(rows)
	t.Errorf("%s:\n%s", what, strings.Join(rows, "\n"))
}

// driveEveryRoute calls every /v1 and /v2 route, in the states that make
// each field of its answer appear: an eligible and each kind of
// not-eligible plan, a full payment (cart, addresses, order) through
// acceptance, capture, refund and trigger, and Alma's error shapes.
func driveEveryRoute(t *testing.T, lc *ledgerClient) {
	const ok = http.StatusOK
	eligibility := map[string]any{"payment": map[string]any{"purchase_amount": 30000, "installments_count": 3}}
	lc.call(ok, post, "/v1/payments/eligibility", eligibility)
	lc.call(ok, post, "/v1/payments/eligibility", map[string]any{"payment": map[string]any{"purchase_amount": 30000, "installments_count": []int{3, 5}}})
	lc.call(ok, post, "/v1/payments/eligibility", map[string]any{"payment": map[string]any{"purchase_amount": 30000, "installments_count": 3, "deferred_days": 15}})
	lc.call(ok, post, "/v1/payments/eligibility", map[string]any{"payment": map[string]any{"purchase_amount": 100, "installments_count": 3}})
	lc.call(http.StatusBadRequest, post, "/v1/payments/eligibility", map[string]any{"payment": map[string]any{}})
	lc.call(ok, post, "/v2/payments/eligibility", request(t, "eligibility_v2.json"))

	lc.call(ok, get, "/v1/me", nil)
	me := lc.call(ok, get, "/v1/merchants/{id}", nil, "id", str(t, lc.call(ok, get, "/v1/me", nil), "id"))
	require.NotNil(t, me)
	lc.call(ok, get, "/v1/me/fee-plans", nil)
	lc.call(http.StatusBadRequest, get, "/v1/me/fee-plans?kind=other", nil)
	lc.call(ok, get, "/v1/me/extended-data", nil)
	lc.call(http.StatusNoContent, post, "/v1/me/business-events", request(t, "business_event_cart_initiated.json"))
	lc.call(ok, put, "/v1/integration-configuration/api", request(t, "integration_configuration.json"))

	full := request(t, "create_full.json") // manual capture, every optional part
	id := str(t, lc.call(ok, post, "/v1/payments", full), "id")
	lc.call(ok, get, "/v1/payments/{id}", nil, "id", id)
	lc.call(ok, post, "/v1/payments/{id}", map[string]any{"payment": map[string]any{"custom_data": map[string]any{"step": 2}}}, "id", id)
	lc.call(ok, post, "/v1/payments/{id}/send-sms", nil, "id", id)
	lc.call(ok, get, "/v1/payments/{id}/ask-acceptance", nil, "id", id)
	lc.call(ok, post, "/v1/payments/{id}/ask-acceptance", nil, "id", id)
	lc.c.pay(id)
	lc.call(ok, post, "/v1/payments/{id}/capture", request(t, "capture_partial.json"), "id", id)
	lc.call(http.StatusBadRequest, post, "/v1/payments/{id}/capture", nil, "id", id)
	lc.call(ok, post, "/v1/payments/{id}/refund", request(t, "refund_partial.json"), "id", id)
	lc.call(ok, post, "/v1/payments/{id}/potential-fraud", map[string]any{"reason": "amount_mismatch"}, "id", id)
	driveOrders(t, lc, id)

	charged := accepted(lc.c, 30000, manual)
	lc.call(ok, post, "/v1/payments/{id}/charge-first-installment", nil, "id", charged)
	trigger := lc.c.create(30000, paymentField("deferred", "trigger"), paymentField("deferred_description", "at shipping"))
	lc.c.pay(str(t, trigger, "id"))
	lc.call(ok, post, "/v1/payments/{id}/trigger", nil, "id", str(t, trigger, "id"))
	for _, method := range []string{put, post} {
		fresh := str(t, lc.c.create(20000), "id")
		lc.call(ok, method, "/v1/payments/{id}/cancel", nil, "id", fresh)
	}
	lc.call(ok, get, "/v1/payments", nil)
	lc.call(http.StatusNotFound, get, "/v1/payments/{id}", nil, "id", "payment_11missing")
	widget := str(t, lc.c.create(20000), "id")
	lc.call(ok, get, "/v1/checkout/payments/{id}/return-urls", nil, "id", widget)
	lc.call(http.StatusNoContent, http.MethodOptions, "/v1/checkout/payments/{id}/return-urls", nil, "id", widget)

	hook := str(t, lc.call(ok, post, "/v1/webhooks", request(t, "webhook_create.json")), "id")
	lc.call(ok, get, "/v1/webhooks", nil)
	lc.call(ok, get, "/v1/webhooks/{id}", nil, "id", hook)
	lc.call(http.StatusNoContent, http.MethodDelete, "/v1/webhooks/{id}", nil, "id", hook)

	res := lc.c.do(get, "/v1/me", nil, "Authorization", "Alma-Auth sk_live_x")
	require.Equal(t, http.StatusUnauthorized, res.Status, "%s", res.Body)
	var unauthorized any
	require.NoError(t, json.Unmarshal(res.Body, &unauthorized))
	lc.w.walk(errorObject, unauthorized)
}

// driveOrders calls the order routes on the payment id, which has an order
// with the merchant reference order-42.
func driveOrders(t *testing.T, lc *ledgerClient, id string) {
	const ok = http.StatusOK
	order := map[string]any{"order": map[string]any{"merchant_reference": "order-43", "customer_url": "https://shop.example.com/orders/43", "data": map[string]any{}}}
	lc.call(ok, post, "/v1/payments/{id}/orders", order, "id", id)
	lc.call(ok, put, "/v1/payments/{id}/orders", order, "id", id)
	orders := lc.call(ok, get, "/v1/payments/{id}/orders", nil, "id", id)
	list, isList := orders.([]any)
	require.True(t, isList && len(list) > 0, "orders: %v", orders)
	orderID := str(t, list[0], "id")
	lc.call(ok, post, "/v1/payments/{id}/orders/{merchant_reference}/status", request(t, "order_status.json"), "id", id, "merchant_reference", "order-43")
	lc.call(ok, get, "/v1/orders", nil)
	lc.call(ok, get, "/v1/orders/{id}", nil, "id", orderID)
	lc.call(ok, post, "/v1/orders/{id}", request(t, "order_update.json"), "id", orderID)
	lc.call(ok, put, "/v1/orders/{id}", request(t, "order_update.json"), "id", orderID)
	lc.call(ok, post, "/v2/orders/{id}/shipment", request(t, "order_shipment.json"), "id", orderID)
	lc.call(ok, post, "/v2/orders/{id}/status", request(t, "order_status.json"), "id", orderID)
}

// Methods, short.
const (
	get  = http.MethodGet
	post = http.MethodPost
	put  = http.MethodPut
)
