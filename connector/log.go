package connector

import (
	"context"
	"log/slog"
)

// log writes one line per operation result: its row, payment, HTTP status
// and Alma's error code. Never bodies, keys or card data: every text is
// redacted again here, whatever produced it.
func (c *Client) log(ctx context.Context, op string, r Result) {
	level := slog.LevelInfo
	if r.Status.State == StateError || r.Status.Uncertain() {
		level = slog.LevelWarn
	}
	attrs := []slog.Attr{
		slog.String("op", op), slog.String("status", r.Status.PSPStatus),
		slog.String("state", r.Status.State), slog.String("code", r.Status.Code),
		slog.String("payment", r.PaymentID), slog.Int("http", r.HTTPStatus),
	}
	if r.AlmaError != nil {
		attrs = append(attrs, slog.String("alma_error", redact(r.AlmaError.String())))
	}
	if r.Err != nil {
		attrs = append(attrs, slog.String("err", redact(r.Err.Error())))
	}
	if len(r.Reasons) > 0 {
		reasons := make([]string, len(r.Reasons))
		for i, s := range r.Reasons {
			reasons[i] = redact(s)
		}
		attrs = append(attrs, slog.Any("reasons", reasons))
	}
	c.logger().LogAttrs(ctx, level, "connector result", attrs...)
}
