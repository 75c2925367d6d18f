package emulator

import (
	"net/http"
	"strings"
)

// Auth schemes of Alma's API.
const (
	schemeSecret   = "Alma-Auth "
	schemeMerchant = "Alma-Merchant-Auth "
)

// messageLiveKey refuses live keys (docs/internals.md).
const messageLiveKey = "alma-sandbox never accepts live keys (sk_live_…); use a sk_test_ key"

// secretKey returns the sk_test_ key of an Authorization header, or the
// error to answer.
func secretKey(header string) (string, *apiError) {
	key, ok := strings.CutPrefix(header, schemeSecret)
	key = strings.TrimSpace(key)
	switch {
	case ok && strings.HasPrefix(key, "sk_live_"):
		return "", &apiError{Code: codeUnauthorized, Message: messageLiveKey}
	case !ok || !strings.HasPrefix(key, "sk_test_") || len(key) == len("sk_test_"):
		return "", &apiError{Code: codeUnauthorized}
	}
	return key, nil
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
		key, aerr := secretKey(r.Header.Get("Authorization"))
		if aerr != nil {
			s.Logger.Debug("emulator: refused credentials", "path", r.URL.Path, "key", redactKey(strings.TrimPrefix(r.Header.Get("Authorization"), schemeSecret)))
			writeError(w, aerr)
			return
		}
		info(r).apiKey = key
		next.ServeHTTP(w, r)
	})
}

// withPublicAuth accepts a secret key or Alma-Merchant-Auth <merchant_id>
// (eligibility, a public call).
func (s *Server) withPublicAuth(next http.Handler) http.Handler {
	secret := s.withSecretKey(next)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, ok := strings.CutPrefix(r.Header.Get("Authorization"), schemeMerchant)
		if ok && strings.HasPrefix(strings.TrimSpace(id), "merchant_") {
			next.ServeHTTP(w, r)
			return
		}
		secret.ServeHTTP(w, r)
	})
}
