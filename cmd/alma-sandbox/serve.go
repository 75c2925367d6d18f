package main

import (
	"context"
	"fmt"
	"io"
)

// runServe is written by the owner of this file (see docs/internals.md).
func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fmt.Fprintln(stderr, "alma-sandbox: serve is not built yet")
	return 1
}
