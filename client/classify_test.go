package client

import (
	"errors"
	"net/http"
	"net/url"
	"testing"
)

// TestClassifierBothSurfaces pins the texts of the one status and redirect
// classifier for the JSON-RPC API and the web UI, which used to have a
// classifier each.
func TestClassifierBothSurfaces(t *testing.T) {
	cn, err := newConn("http://code.example.com/rc", Options{})
	if err != nil {
		t.Fatal(err)
	}
	const api = "http://code.example.com/rc/_admin/api"
	const page = "http://code.example.com/rc/_admin/my_account/auth_tokens"
	answer := func(want surface, method string, code int, header http.Header, body string) *response {
		shown := api
		if want == webSurface {
			shown = page
		}
		req, _ := http.NewRequest(method, shown, nil)
		if header == nil {
			header = http.Header{}
		}
		return &response{
			Response: &http.Response{StatusCode: code, Status: http.StatusText(code), Header: header, Request: req},
			url:      shown,
			body:     []byte(body),
			want:     want,
		}
	}
	at := func(loc string) http.Header { return http.Header{"Location": {loc}} }
	html := http.Header{"Content-Type": {"text/html; charset=utf-8"}}
	for _, tc := range []struct {
		name string
		resp *response
		is   error
		text string
	}{
		{"api 404", answer(apiSurface, "POST", 404, nil, ""), ErrNotRhodeCode,
			api + " answered HTTP Not Found: there is no RhodeCode API at this address; check the URL (the instance's base URL, including any path prefix)"},
		{"web 404", answer(webSurface, "GET", 404, nil, ""), ErrNotRhodeCode,
			page + " answered HTTP Not Found: there is no RhodeCode web UI at this address; check the URL (the instance's base URL, including any path prefix)"},
		{"api 403 is not CSRF", answer(apiSurface, "POST", 403, html, "<p>no"), ErrNotRhodeCode,
			api + " answered HTTP Forbidden with an HTML page, not the RhodeCode API; check the URL"},
		{"web POST 403 is CSRF", answer(webSurface, "POST", 403, nil, ""), ErrCSRF,
			"code.example.com refused the session's CSRF token (HTTP 403); log in again"},
		{"web GET 403", answer(webSurface, "GET", 403, nil, "x"), ErrNotRhodeCode,
			page + " answered HTTP Forbidden with a non-JSON body, not a RhodeCode page; check the URL"},
		{"gateway", answer(webSurface, "GET", 503, nil, ""), ErrUnreachable,
			page + " answered HTTP Service Unavailable: the RhodeCode server behind the proxy is down or overloaded; try again later"},
		{"api 500", answer(apiSurface, "POST", 500, nil, ""), ErrNotRhodeCode,
			api + " answered HTTP Internal Server Error with an empty body, not the RhodeCode API; check the URL or try again later"},
		{"web 500", answer(webSurface, "GET", 500, nil, ""), ErrNotRhodeCode,
			page + " answered HTTP Internal Server Error; try again later or ask a RhodeCode administrator"},
		{"exception id", answer(webSurface, "GET", 500, http.Header{"Rhodecode-Exception-Id": {"e1"}}, ""), ErrNotRhodeCode,
			page + " failed with HTTP Internal Server Error (RhodeCode exception id e1); an administrator can look it up under Admin → Exceptions"},
		{"api redirect to login", answer(apiSurface, "POST", 302, at("https://sso.example.com/_admin/login"), ""), ErrNotRhodeCode,
			api + " redirected to a login page (https://sso.example.com/_admin/login): that is not the RhodeCode API; check the URL and any proxy or single sign-on in front of it"},
		{"api redirect to https", answer(apiSurface, "POST", 301, at("https://code.example.com/rc/_admin/api"), ""), ErrNotRhodeCode,
			api + " redirects to HTTPS (https://code.example.com/rc/_admin/api); use https://code.example.com/rc as the URL"},
		{"api redirect elsewhere", answer(apiSurface, "POST", 302, at("http://other.example.com/"), ""), ErrNotRhodeCode,
			api + " redirects to http://other.example.com/; redirects are not followed so the token stays with code.example.com; check the URL"},
		{"web redirect to login", answer(webSurface, "GET", 302, at("/rc/_admin/login?came_from=x"), ""), ErrSessionExpired,
			"code.example.com redirected to its login page: the web session has expired or was logged out; log in again"},
		{"web redirect to password", answer(webSurface, "GET", 302, at("http://code.example.com:80/rc/_admin/my_account/password"), ""), ErrPasswordChangeRequired,
			"code.example.com requires a password change before anything else: change the password in the web UI (My Account → Password), then log in again"},
		{"web redirect outside the base path", answer(webSurface, "GET", 302, at("http://code.example.com/other/_admin/login"), ""), ErrNotRhodeCode,
			page + " redirects to http://code.example.com/other/_admin/login, outside the instance; it was not followed, so the session stays with code.example.com; check the URL"},
		{"web redirect inside", answer(webSurface, "GET", 302, at("/rc/some/page"), ""), ErrNotRhodeCode,
			page + " redirects to http://code.example.com/rc/some/page instead of answering; check the URL and the RhodeCode version"},
		{"no Location", answer(webSurface, "GET", 302, nil, ""), ErrNotRhodeCode,
			page + " answered HTTP Found (a redirect without a usable Location); check the URL"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := cn.statusError(tc.resp)
			if !errors.Is(err, tc.is) || err.Error() != tc.text {
				t.Errorf("got  %v (%v)\nwant %s (%v)", err, errors.Is(err, tc.is), tc.text, tc.is)
			}
		})
	}
}

func TestLocate(t *testing.T) {
	cn, err := newConn("https://code.example.com/rc", Options{})
	if err != nil {
		t.Fatal(err)
	}
	for loc, want := range map[string]int{
		"/rc/_admin/login":                                               locLogin,
		"http://code.example.com/rc/_admin/login":                        locLogin, // a TLS-terminating proxy
		"https://code.example.com:443/rc/_admin/my_account/auth_tokens/": locTokens,
		"/rc/_admin/my_account/password":                                 locPassword,
		"/rc/repo":                                                       locOther,
		"/rcx/_admin/login":                                              locForeign,
		"https://evil.example.com/rc/_admin/login":                       locForeign,
		"https://code.example.com:8443/rc/_admin/login":                  locForeign,
	} {
		req := &http.Request{URL: &url.URL{Scheme: "https", Host: "code.example.com", Path: "/rc/x"}}
		resp := &response{Response: &http.Response{StatusCode: 302, Header: http.Header{"Location": {loc}}, Request: req}}
		if got, _ := cn.locate(resp); got != want {
			t.Errorf("locate(%q) = %d, want %d", loc, got, want)
		}
	}
}
