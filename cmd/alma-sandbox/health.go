package main

import (
	"context"
	"fmt"
	"io"
)

// runHealth is written by the owner of this file (see docs/internals.md).
func runHealth(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fmt.Fprintln(stderr, "alma-sandbox: health is not built yet")
	return 1
}
