//go:build tools

// Package tools pins the project's dependencies while the packages that use
// them are being written, so `go mod tidy` keeps them.
package tools

import (
	_ "github.com/brianvoe/gofakeit/v6"
	_ "github.com/chromedp/chromedp"
	_ "github.com/gorilla/mux"
	_ "github.com/pact-foundation/pact-go/v2/consumer"
	_ "github.com/pact-foundation/pact-go/v2/provider"
	_ "github.com/stretchr/testify/require"
	_ "gopkg.in/yaml.v3"
)
