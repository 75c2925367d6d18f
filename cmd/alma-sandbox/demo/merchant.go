package demo

import (
	"context"
	"encoding/json"
	"net/http"
	"time"
)

// merchantLookupTimeout bounds the GET /v1/me the product page may make.
const merchantLookupTimeout = 3 * time.Second

// widgetMerchantID is the merchant id the widget is initialized with at
// page load: the one the last payment carried, else the one Alma shows for
// the shop's key (GET /v1/me), as a real shop has it in its configuration.
// The widget refuses an unknown id, so "" is never good enough; it is what
// this answers only when Alma cannot be asked.
func (s *Server) widgetMerchantID(ctx context.Context) string {
	if id := s.orders.merchantID(); id != "" {
		return id
	}
	ctx, cancel := context.WithTimeout(ctx, merchantLookupTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.Connector.BaseURL+"/v1/me", nil)
	if err != nil {
		return ""
	}
	req.Header.Set("Authorization", "Alma-Auth "+string(s.Connector.APIKey))
	client := s.Connector.HTTPClient
	if client == nil {
		client = http.DefaultClient
	}
	res, err := client.Do(req)
	if err != nil {
		s.logger().Warn("demo: read the merchant id", "err", err)
		return ""
	}
	defer res.Body.Close()
	var me struct {
		ID string `json:"id"`
	}
	if res.StatusCode != http.StatusOK || json.NewDecoder(res.Body).Decode(&me) != nil {
		s.logger().Warn("demo: read the merchant id", "status", res.StatusCode)
		return ""
	}
	return me.ID
}
