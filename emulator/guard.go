package emulator

import (
	"mime"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// The admin API and the customer's step change payments for whoever calls
// them, so another web page must not reach them:
//   - a request that changes something (not GET, HEAD or OPTIONS) must send
//     Content-Type: application/json — a cross-site page can send that only
//     after a CORS preflight, which these routes never grant;
//   - the Host must be one the emulator answers as (an IP address,
//     localhost, PublicURL's host or an AllowedHosts entry), so a
//     DNS-rebinding page, whose Host is its own name, reads nothing.
//
// The merchant API (/v1, /v2) is not guarded: it needs a secret key, and
// other containers reach it by service name.

// guarded reports whether path is the admin API, the dashboard or the
// customer's page.
func guarded(path string) bool {
	return strings.HasPrefix(path, "/__admin") || strings.HasPrefix(path, "/pay/")
}

// withGuard refuses a guarded request from a foreign Host (421) or a
// changing one without a JSON body type (415), in Alma's error shape.
func (s *Server) withGuard(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !guarded(r.URL.Path) {
			next.ServeHTTP(w, r)
			return
		}
		if !s.allowedHost(r.Host) {
			writeError(w, &apiError{Status: http.StatusMisdirectedRequest, Code: "forbidden_host",
				Message: "Host " + r.Host + " is not one this emulator answers as: start it with --allowed-host " + hostOnly(r.Host) + " (or --public-url)"})
			return
		}
		if changes(r.Method) && !isJSON(r.Header.Get("Content-Type")) {
			writeError(w, &apiError{Status: http.StatusUnsupportedMediaType, Code: "unsupported_media_type",
				Message: "send Content-Type: application/json (the admin API and the customer's step accept JSON only; a scenario file may also be sent as application/yaml)"})
			return
		}
		next.ServeHTTP(w, r)
	})
}

// changes reports whether a method may change state.
func changes(method string) bool {
	return method != http.MethodGet && method != http.MethodHead && method != http.MethodOptions
}

// isJSON reports whether a Content-Type is application/json, or a YAML
// type for scenario files (parameters such as charset allowed). None of
// them is one a page may send cross-site without a preflight.
func isJSON(ct string) bool {
	mt, _, err := mime.ParseMediaType(ct)
	return err == nil && (mt == "application/json" || mt == "application/yaml" || mt == "application/x-yaml" || mt == "text/yaml")
}

// allowedHost reports whether host (a request's Host, port optional) is an
// IP address, localhost, PublicURL's host or one of AllowedHosts.
func (s *Server) allowedHost(host string) bool {
	h := strings.ToLower(hostOnly(host))
	if h == "" || net.ParseIP(h) != nil || h == "localhost" || strings.HasSuffix(h, ".localhost") {
		return h != ""
	}
	if u, err := url.Parse(s.PublicURL); err == nil && s.PublicURL != "" && strings.EqualFold(u.Hostname(), h) {
		return true
	}
	return slices.ContainsFunc(s.AllowedHosts, func(a string) bool { return strings.EqualFold(hostOnly(a), h) })
}

// hostOnly is host without its port and IPv6 brackets.
func hostOnly(host string) string {
	if h, _, err := net.SplitHostPort(host); err == nil {
		return h
	}
	return strings.Trim(host, "[]")
}
