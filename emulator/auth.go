package emulator

import (
	"net/http"
	"slices"
	"strings"
)

// Auth schemes of Alma's API.
const (
	schemeSecret   = "Alma-Auth "
	schemeMerchant = "Alma-Merchant-Auth "
)

// messageLiveKey refuses live keys (docs/internals.md).
const messageLiveKey = "alma-sandbox never accepts live keys (sk_live_…); use a sk_test_ key"

// maxKeyLen bounds a secret key.
const maxKeyLen = 128

// secretKey returns the sk_test_ key of an Authorization header, or the
// error to answer. The key rule (docs/internals.md): with APIKeys set, only
// those keys are known; without, any well-formed sandbox key is (sk_test_
// then 1 to 120 letters, digits or underscores), so that starting is easy
// and a mistyped prefix or a stray character still gets Alma's 401.
func (s *Server) secretKey(header string) (string, *apiError) {
	key, ok := strings.CutPrefix(header, schemeSecret)
	key = strings.TrimSpace(key)
	switch {
	case ok && strings.HasPrefix(key, "sk_live_"):
		return "", &apiError{Code: codeUnauthorized, Message: messageLiveKey}
	case !ok || !wellFormedKey(key):
		return "", &apiError{Code: codeUnauthorized}
	case len(s.APIKeys) > 0 && !slices.Contains(s.APIKeys, key):
		return "", &apiError{Code: codeUnauthorized}
	}
	return key, nil
}

// wellFormedKey reports whether key is sk_test_ followed by 1 to 120
// letters, digits or underscores.
func wellFormedKey(key string) bool {
	rest, ok := strings.CutPrefix(key, "sk_test_")
	if !ok || rest == "" || len(key) > maxKeyLen {
		return false
	}
	for i := 0; i < len(rest); i++ {
		if c := rest[i]; !(c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			return false
		}
	}
	return true
}

// redactKey shows at most the last four characters of a key, for logs:
// sk_test_…abcd.
func redactKey(key string) string {
	prefix := "sk_test_"
	if !strings.HasPrefix(key, prefix) {
		prefix = ""
		if strings.HasPrefix(key, "sk_live_") {
			prefix = "sk_live_"
		}
	}
	rest := key[len(prefix):]
	if len(rest) <= 4 {
		return prefix + "…"
	}
	return prefix + "…" + rest[len(rest)-4:]
}

// withSecretKey requires Alma-Auth sk_test_… on the merchant API.
func (s *Server) withSecretKey(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		key, aerr := s.secretKey(r.Header.Get("Authorization"))
		if aerr != nil {
			s.Logger.Debug("emulator: refused credentials", "path", r.URL.Path, "key", redactKey(strings.TrimPrefix(r.Header.Get("Authorization"), schemeSecret)))
			writeError(w, aerr)
			return
		}
		t := s.tenants.of(key)
		if t == nil {
			writeError(w, errTooManyTenants(s.MaxTenants))
			return
		}
		in := info(r)
		in.apiKey, in.tenant = key, t
		next.ServeHTTP(w, r)
	})
}

// withPublicAuth accepts a secret key or Alma-Merchant-Auth with a
// merchant's id (eligibility, a public call), which resolves the same
// tenant as its key; a merchant id the emulator does not know (its key
// never called, nor is it an --api-key) gets 401.
func (s *Server) withPublicAuth(next http.Handler) http.Handler {
	secret := s.withSecretKey(next)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, ok := strings.CutPrefix(r.Header.Get("Authorization"), schemeMerchant)
		if !ok {
			secret.ServeHTTP(w, r)
			return
		}
		t := s.tenants.byMerchant(strings.TrimSpace(id))
		if t == nil {
			writeError(w, &apiError{Code: codeUnauthorized})
			return
		}
		info(r).tenant = t
		next.ServeHTTP(w, r)
	})
}
