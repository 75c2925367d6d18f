//go:build pact

package contracts

import (
	"github.com/pact-foundation/pact-go/v2/models"
)

// The provider states the pact names. Each names the situation at Alma; the
// provider side sets it up through the emulator's own API (stateHandlers),
// never by writing data the emulator would not produce.
const (
	stateMerchant           = "a merchant whose sk_test_ key is active and who offers 4 installments"
	stateNotStarted         = "a payment in state not_started exists"
	stateScoredYes          = "a payment in state scored_yes exists (manual capture, card accepted)"
	stateScoredMaybe        = "a payment in state scored_maybe exists"
	stateScoredNo           = "a payment in state scored_no exists"
	stateInProgress         = "a payment in state in_progress exists (first installment paid)"
	statePaid               = "a payment in state paid exists (every installment paid)"
	stateCancelled          = "a payment cancelled before any installment was paid exists"
	stateExpired            = "a payment that expired before any installment was paid exists"
	stateCaptured           = "a payment with a manual capture that was already captured exists"
	stateOrderPayment       = "a payment created for order order-42 exists"
	stateNoPayment          = "no payment with this id exists"
	stateCaptureDeclined    = "a payment in state scored_yes exists whose card the bank declines at capture"
	stateReadRateLimited    = "a payment in state not_started exists and Alma rate-limits the next read"
	stateReadFails500       = "a payment in state not_started exists and Alma fails the next read with HTTP 500"
	stateCreateMissingField = "Alma refuses the next payment creation: payment.purchase_amount is missing"
	stateCreate500          = "Alma answers the next payment creation with HTTP 500"
	stateCreate502          = "Alma answers the next payment creation with HTTP 502"
	stateCreate503          = "Alma answers the next payment creation with HTTP 503"
)

// The test-only scenarios of testdata/scenarios the states select.
const (
	scenarioCreateMissingField = "contract_create_missing_field"
	scenarioCreate500          = "contract_create_500"
	scenarioCreate502          = "contract_create_502"
	scenarioCreate503          = "contract_create_503"
	scenarioCaptureDeclined    = "contract_capture_card_declined"
	scenarioGet429             = "contract_get_429"
	scenarioGet500             = "contract_get_500"
	scenarioScoredMaybe        = "contract_scored_maybe"
	scenarioScoredNo           = "contract_scored_no"
)

// stateHandlers sets each provider state up on the emulator behind e. Each
// handler answers the id of the payment it created, for the requests whose
// path is injected from the provider state (${id}). Teardown does nothing:
// the verifier's BeforeEach resets the emulator.
func stateHandlers(e *emulatorAdmin) models.StateHandlers {
	pay := func(sc string, manual bool, then ...func(string) error) models.StateHandler {
		return onSetup(func() (string, error) { return e.paid(sc, manual, then...) })
	}
	return models.StateHandlers{
		stateMerchant:    onSetup(func() (string, error) { return "", nil }),
		stateNoPayment:   onSetup(func() (string, error) { return "", nil }),
		stateNotStarted:  onSetup(func() (string, error) { return e.create("", false) }),
		stateScoredYes:   pay("", true),
		stateScoredMaybe: pay(scenarioScoredMaybe, true),
		stateScoredNo:    pay(scenarioScoredNo, true),
		stateInProgress:  pay("", false),
		statePaid:        pay("", false, e.payEverything),
		stateCaptured:    pay("", true, e.capture),
		stateCancelled: onSetup(func() (string, error) {
			id, err := e.create("", false)
			if err != nil {
				return "", err
			}
			return id, e.cancel(id)
		}),
		stateExpired:            onSetup(e.expired),
		stateOrderPayment:       onSetup(func() (string, error) { return e.create("", false) }),
		stateCaptureDeclined:    pay(scenarioCaptureDeclined, true),
		stateReadRateLimited:    onSetup(func() (string, error) { return e.create(scenarioGet429, false) }),
		stateReadFails500:       onSetup(func() (string, error) { return e.create(scenarioGet500, false) }),
		stateCreateMissingField: onSetup(func() (string, error) { return "", e.arm(scenarioCreateMissingField) }),
		stateCreate500:          onSetup(func() (string, error) { return "", e.arm(scenarioCreate500) }),
		stateCreate502:          onSetup(func() (string, error) { return "", e.arm(scenarioCreate502) }),
		stateCreate503:          onSetup(func() (string, error) { return "", e.arm(scenarioCreate503) }),
	}
}

// onSetup adapts a setup function to a state handler: run on setup only,
// its payment id (if any) returned as "id".
func onSetup(setup func() (string, error)) models.StateHandler {
	return func(isSetup bool, _ models.ProviderState) (models.ProviderStateResponse, error) {
		if !isSetup {
			return nil, nil
		}
		id, err := setup()
		if err != nil || id == "" {
			return nil, err
		}
		return models.ProviderStateResponse{"id": id}, nil
	}
}
