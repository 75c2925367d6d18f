package emulator

// knownMerchant reports whether id is the merchant id of a tenant this
// emulator knows (a key that called, an --api-key, the README's key): the
// In-Page widget's merchantId check (GET /in-page/merchants/{id}) asks it.
func (s *Server) knownMerchant(id string) bool {
	return id != "" && s.tenants.byMerchant(id) != nil
}
