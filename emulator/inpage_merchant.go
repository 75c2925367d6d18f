package emulator

// knownMerchant reports whether id is a merchant this emulator knows: the
// In-Page widget's merchantId check (GET /in-page/merchants/{id}) asks it.
// Today the one merchant; with tenants, any of theirs.
func (s *Server) knownMerchant(id string) bool {
	return id != "" && id == s.merchant.ID
}
