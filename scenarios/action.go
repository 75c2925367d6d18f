package scenarios

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// ActionKind names one harness action of a scenario's drive.
type ActionKind string

// The harness actions; see docs/internals.md, "The harness's drive".
const (
	ActInitialize ActionKind = "initialize" // the connector's Initialize for the scenario's flow
	ActCustomer   ActionKind = "customer"   // the scenario's customer step through the admin API
	ActVerify     ActionKind = "verify"     // the connector's Verify
	ActCapture    ActionKind = "capture"    // capture[:cents], 0 = whole
	ActCancel     ActionKind = "cancel"     // the connector's Cancel
	ActRefund     ActionKind = "refund"     // refund[:cents], 0 = whole
	ActReconcile  ActionKind = "reconcile"  // find the payment created for this order
	ActAdvance    ActionKind = "advance"    // advance:<duration>, this payment's clock only
	ActAwaitIPN   ActionKind = "await_ipn"  // wait for the connector's IPN handler to verify this payment
	// ActAwaitIPNRefused waits until the emulator's delivery log shows a
	// notification for this payment that the connector's handler refused
	// (401), and checks that the handler verified nothing.
	ActAwaitIPNRefused ActionKind = "await_ipn_refused"
	// ActArm arms a scenario for the next payment created without one
	// (arm:<id>, POST /__admin/scenarios/{id}/arm {"count":1}). A drive that
	// arms sends order references that name no scenario, so its creates take
	// the armed scenarios, in arming order; its own on: steps never apply.
	ActArm ActionKind = "arm"
)

// actionKinds lists the actions and whether they take an argument.
var actionKinds = map[ActionKind]string{
	ActInitialize: "", ActCustomer: "", ActVerify: "", ActCancel: "",
	ActReconcile: "", ActAwaitIPN: "", ActAwaitIPNRefused: "",
	ActCapture: "cents", ActRefund: "cents", ActAdvance: "duration",
	ActArm: "id",
}

// Action is one parsed drive entry.
type Action struct {
	Kind  ActionKind
	Cents int64         // capture and refund; 0 = whole
	By    time.Duration // advance
	ID    string        // arm: the scenario to arm
}

// String writes the action back as it is written in a file.
func (a Action) String() string {
	switch {
	case a.Kind == ActAdvance:
		return string(a.Kind) + ":" + shortDuration(a.By)
	case a.Kind == ActArm:
		return string(a.Kind) + ":" + a.ID
	case a.Cents != 0:
		return string(a.Kind) + ":" + strconv.FormatInt(a.Cents, 10)
	default:
		return string(a.Kind)
	}
}

// ParseAction reads a drive entry such as "verify", "refund:999999",
// "advance:720h" or "arm:create_server_error".
func ParseAction(s string) (Action, error) {
	name, arg, hasArg := strings.Cut(s, ":")
	kind := ActionKind(name)
	want, ok := actionKinds[kind]
	if !ok {
		return Action{}, fmt.Errorf("unknown drive action %q (known: %s)", name, knownActions())
	}
	a := Action{Kind: kind}
	switch {
	case want == "" && hasArg:
		return Action{}, fmt.Errorf("drive action %q takes no argument", name)
	case want == "duration":
		d, err := time.ParseDuration(arg)
		if err != nil || d <= 0 {
			return Action{}, fmt.Errorf("drive action %q needs a positive duration, as in \"advance:720h\"", s)
		}
		a.By = d
	case want == "id":
		if !ValidID(arg) {
			return Action{}, fmt.Errorf("drive action %q needs a scenario id, as in \"arm:create_server_error\"", s)
		}
		a.ID = arg
	case want == "cents" && hasArg:
		n, err := strconv.ParseInt(arg, 10, 64)
		if err != nil || n <= 0 {
			return Action{}, fmt.Errorf("drive action %q needs a positive amount in cents, as in \"%s:1000\"", s, name)
		}
		a.Cents = n
	}
	return a, nil
}

func knownActions() string {
	return "initialize, customer, verify, capture[:cents], cancel, refund[:cents], reconcile, advance:<duration>, await_ipn, await_ipn_refused, arm:<id>"
}

// defaultDrive is each flow's drive when a scenario gives none.
var defaultDrive = map[Flow][]string{
	FlowCapture:   {"initialize", "customer", "verify"},
	FlowAuthorize: {"initialize", "customer", "verify", "capture", "verify"},
	FlowPending:   {"initialize", "customer", "verify", "await_ipn", "capture", "verify"},
}

// Arms reports whether the scenario's drive arms a scenario: its payments
// are then created with order references that name no scenario.
func (sc *Scenario) Arms() bool {
	return slices.ContainsFunc(sc.Drive, func(s string) bool { return strings.HasPrefix(s, string(ActArm)+":") })
}

// FlowOrDefault is the scenario's flow, capture when unset.
func (sc *Scenario) FlowOrDefault() Flow {
	if sc.Flow == "" {
		return FlowCapture
	}
	return sc.Flow
}

// Actions is the scenario's drive, parsed: its own Drive, or its flow's
// default. An entry that does not parse is an error (the loader rejects
// such files, so this only happens to scenarios built in code).
func (sc *Scenario) Actions() ([]Action, error) {
	drive := sc.Drive
	if len(drive) == 0 {
		drive = defaultDrive[sc.FlowOrDefault()]
	}
	out := make([]Action, 0, len(drive))
	for _, s := range drive {
		a, err := ParseAction(s)
		if err != nil {
			return nil, fmt.Errorf("scenario %s: %w", sc.ID, err)
		}
		out = append(out, a)
	}
	return out, nil
}
