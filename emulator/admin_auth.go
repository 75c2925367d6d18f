package emulator

import (
	"crypto/subtle"
	"net/http"
	"strings"
)

// Admin access (docs/internals.md "Tenants"): the admin API acts for a
// scope, a tenant or the operator.
//   - Authorization: Alma-Auth sk_test_… scopes the call to that key's
//     tenant, token or not: a pipeline arms, advances, resets and reads its
//     own merchant only.
//   - With AdminToken set, the operator sends Authorization: Bearer <token>
//     (or X-Alma-Sandbox-Admin-Token); anything else gets 401.
//   - Without AdminToken the admin API is open and a call without a key is
//     the operator's (serve allows that on loopback only).
//
// The operator may scope a call to a tenant with X-Alma-Sandbox-Tenant:
// merchant_… (or ?tenant=merchant_…).

// Headers of admin access.
const (
	AdminTokenHeader  = "X-Alma-Sandbox-Admin-Token"
	AdminTenantHeader = "X-Alma-Sandbox-Tenant"
)

// messageAdminAuth is the 401 of an admin call without the token or a key.
const messageAdminAuth = "the admin API needs Authorization: Bearer <admin token> (serve --admin-token) or a merchant's own key (Authorization: Alma-Auth sk_test_…)"

// withAdmin resolves an admin call's scope into the request's tenant (nil:
// the operator), or answers 401.
func (s *Server) withAdmin(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		auth := r.Header.Get("Authorization")
		if strings.HasPrefix(auth, schemeSecret) {
			key, aerr := s.secretKey(auth)
			if aerr != nil {
				writeError(w, aerr)
				return
			}
			t := s.tenants.of(key)
			if t == nil {
				writeError(w, errTooManyTenants(s.MaxTenants))
				return
			}
			info(r).tenant = t
			next.ServeHTTP(w, r)
			return
		}
		if s.AdminToken != "" && !s.adminToken(r) {
			writeError(w, &apiError{Code: codeUnauthorized, Message: messageAdminAuth})
			return
		}
		if id := orDefault(r.Header.Get(AdminTenantHeader), r.URL.Query().Get("tenant")); id != "" {
			t := s.tenants.byMerchant(id)
			if t == nil {
				writeError(w, topError(codeNotFound, "Merchant "+id+" not found"))
				return
			}
			info(r).tenant = t
		}
		next.ServeHTTP(w, r)
	})
}

// adminToken reports whether r carries AdminToken (Bearer or the header),
// compared in constant time.
func (s *Server) adminToken(r *http.Request) bool {
	got := r.Header.Get(AdminTokenHeader)
	if bearer, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok {
		got = strings.TrimSpace(bearer)
	}
	return got != "" && subtle.ConstantTimeCompare([]byte(got), []byte(s.AdminToken)) == 1
}

// tenantsJSON is one tenant as the operator's view lists it.
type tenantJSON struct {
	ID       string `json:"merchant_id"`
	Name     string `json:"name"`
	Key      string `json:"key"` // redacted
	Payments int    `json:"payments"`
	Offset   string `json:"clock_offset"`
}

// adminTenants answers GET /__admin/tenants: the operator's list of every
// tenant; a tenant's own call lists itself only.
func (s *Server) adminTenants(w http.ResponseWriter, r *http.Request) {
	list := s.tenants.all()
	if t := tenantOf(r); t != nil {
		list = []*tenant{t}
	}
	out := make([]tenantJSON, len(list))
	for i, t := range list {
		out[i] = tenantJSON{ID: t.ID, Name: t.Name, Key: redactKey(t.Key), Payments: len(s.store.ids(t.ID)), Offset: t.advanced().String()}
	}
	writeOK(w, map[string]any{"data": out})
}
