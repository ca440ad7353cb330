package client

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"syscall"

	"github.com/rhodecode-cli/rhodecode/internal/baseurl"
)

// This file is the one classifier of what can go wrong between the client
// and an instance, for the JSON-RPC API and the web UI alike: transport
// failures, unexpected statuses and redirects. Each becomes a one-line
// message that names the host and wraps one sentinel (errors.go).

// errOwnTimeout is the cancel cause of the per-request timeout, to tell it
// apart from the caller's deadline.
var errOwnTimeout = errors.New("client timeout")

// transportError turns an error of http.Client.Do (or of reading the
// body) into a one-line message that names the host.
func (c *conn) transportError(ctx, reqCtx context.Context, err error) error {
	host := c.host
	// The caller's context comes first: an interrupted command is not a
	// network problem.
	if ctxErr := ctx.Err(); ctxErr != nil {
		if errors.Is(ctxErr, context.Canceled) {
			return fmt.Errorf("request to %s canceled: %w", host, ctxErr)
		}
		return c.fail(ErrUnreachable, ctxErr, "%s did not answer before the deadline", host)
	}
	if errors.Is(context.Cause(reqCtx), errOwnTimeout) {
		return c.fail(ErrUnreachable, context.DeadlineExceeded, "%s did not answer within %s", host, c.timeout)
	}

	if perr, ok := c.proxyError(err); ok {
		return perr
	}
	var (
		dnsErr      *net.DNSError
		certErr     *tls.CertificateVerificationError
		unknownAuth x509.UnknownAuthorityError
		hostErr     x509.HostnameError
		invalidErr  x509.CertificateInvalidError
		recordErr   tls.RecordHeaderError
		alertErr    tls.AlertError
		netErr      net.Error
	)
	switch {
	case errors.As(err, &dnsErr):
		if dnsErr.IsNotFound {
			return c.fail(ErrUnreachable, err, "cannot reach %s: no such host; check the URL", host)
		}
		return c.fail(ErrUnreachable, err, "cannot reach %s: DNS lookup failed (%s)", host, dnsErr.Err)
	case errors.Is(err, syscall.ECONNREFUSED):
		return c.fail(ErrUnreachable, err, "cannot reach %s: connection refused; is the server running and the port right?", host)
	case errors.As(err, &certErr):
		return c.fail(ErrUnreachable, err, "TLS certificate of %s is not trusted: %s%s", host, certReason(certErr.Err), caHint(certErr.Err))
	case errors.As(err, &unknownAuth), errors.As(err, &hostErr), errors.As(err, &invalidErr):
		return c.fail(ErrUnreachable, err, "TLS certificate of %s is not trusted: %s%s", host, certReason(err), caHint(err))
	case errors.As(err, &recordErr):
		return c.fail(ErrUnreachable, err, "TLS handshake with %s failed: it does not speak HTTPS on this port; try http://", host)
	case errors.As(err, &alertErr):
		return c.fail(ErrUnreachable, err, "TLS handshake with %s failed: %s", host, alertErr.Error())
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, syscall.ECONNRESET):
		return c.fail(ErrUnreachable, err, "cannot reach %s: the connection was closed before an answer arrived", host)
	case errors.As(err, &netErr) && netErr.Timeout():
		return c.fail(ErrUnreachable, err, "%s did not answer within %s", host, c.timeout)
	}
	return c.fail(ErrUnreachable, err, "cannot reach %s: %s", host, innermost(err))
}

// caHint says how to trust a private CA, for the errors where that helps.
func caHint(err error) string {
	var ua x509.UnknownAuthorityError
	if errors.As(err, &ua) {
		return "; if your organisation runs its own CA, pass its certificate with --ca-cert FILE (or RHODECODE_CA_CERT, or SSL_CERT_FILE for every program)"
	}
	return ""
}

// certReason gives the x509 text without Go's "tls: failed to verify
// certificate:" prefix.
func certReason(err error) string {
	var ua x509.UnknownAuthorityError
	var he x509.HostnameError
	var ci x509.CertificateInvalidError
	switch {
	case errors.As(err, &ua):
		return "it is signed by an unknown authority (self-signed or private CA)"
	case errors.As(err, &he):
		return he.Error()
	case errors.As(err, &ci):
		return ci.Error()
	}
	return err.Error()
}

// innermost drops the *url.Error wrapper ("Post "https://…": …") so the
// message does not repeat the URL.
func innermost(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err.Error()
	}
	return err.Error()
}

// statusError explains an answer that is neither what the caller expected
// nor a transport failure. The JSON-RPC layer always answers 200 and the
// web UI 200 or a redirect, so anything else comes from elsewhere: a
// proxy, a gateway, a server error page, the wrong URL.
func (c *conn) statusError(resp *response) error {
	status := resp.Status
	if status == "" {
		status = fmt.Sprint(resp.StatusCode)
	}
	code := resp.StatusCode
	api := resp.want == apiSurface
	switch {
	case code >= 300 && code < 400:
		return c.redirectError(resp)
	case !api && code == http.StatusForbidden && resp.Request.Method == http.MethodPost:
		// RhodeCode's answer to a CSRF token that is not the session's.
		return c.fail(ErrCSRF, nil, "%s refused the session's CSRF token (HTTP 403); log in again", c.host)
	case code == http.StatusNotFound:
		what := "API"
		if !api {
			what = "web UI"
		}
		return c.fail(ErrNotRhodeCode, nil, "%s answered HTTP %s: there is no RhodeCode %s at this address; check the URL (the instance's base URL, including any path prefix)", resp.url, status, what)
	case code == http.StatusUnauthorized || code == http.StatusProxyAuthRequired:
		return c.fail(ErrNotRhodeCode, nil, "%s answered HTTP %s: something in front of RhodeCode (a proxy or gateway) asks for its own authentication", resp.url, status)
	case code == http.StatusBadGateway || code == http.StatusServiceUnavailable || code == http.StatusGatewayTimeout:
		return c.fail(ErrUnreachable, nil, "%s answered HTTP %s: the RhodeCode server behind the proxy is down or overloaded; try again later", resp.url, status)
	case code >= 500:
		if id := resp.Header.Get("RhodeCode-Exception-Id"); id != "" {
			return c.fail(ErrNotRhodeCode, nil, "%s failed with HTTP %s (RhodeCode exception id %s); an administrator can look it up under Admin → Exceptions", resp.url, status, id)
		}
		if !api {
			return c.fail(ErrNotRhodeCode, nil, "%s answered HTTP %s; try again later or ask a RhodeCode administrator", resp.url, status)
		}
		return c.fail(ErrNotRhodeCode, nil, "%s answered HTTP %s with %s, not the RhodeCode API; check the URL or try again later", resp.url, status, describeBody(resp.Response, resp.body))
	case !api:
		return c.fail(ErrNotRhodeCode, nil, "%s answered HTTP %s with %s, not a RhodeCode page; check the URL", resp.url, status, describeBody(resp.Response, resp.body))
	}
	return c.fail(ErrNotRhodeCode, nil, "%s answered HTTP %s with %s, not the RhodeCode API; check the URL", resp.url, status, describeBody(resp.Response, resp.body))
}

// redirectError explains a 3xx the caller did not expect. Redirects are
// never followed: the token or the session cookie must not travel to
// wherever a redirect points.
func (c *conn) redirectError(resp *response) error {
	kind, loc := c.locate(resp)
	if loc == nil {
		return c.fail(ErrNotRhodeCode, nil, "%s answered HTTP %s (a redirect without a usable Location); check the URL", resp.url, resp.Status)
	}
	shown := RedactURL(loc.String())
	if resp.want == apiSurface {
		return c.apiRedirectError(resp, loc, shown)
	}
	switch kind {
	case locLogin:
		return c.fail(ErrSessionExpired, nil, "%s redirected to its login page: the web session has expired or was logged out; log in again", c.host)
	case locPassword:
		return c.passwordChangeError()
	case locForeign:
		return c.fail(ErrNotRhodeCode, nil, "%s redirects to %s, outside the instance; it was not followed, so the session stays with %s; check the URL", resp.url, shown, c.host)
	}
	return c.fail(ErrNotRhodeCode, nil, "%s redirects to %s instead of answering; check the URL and the RhodeCode version", resp.url, shown)
}

// apiRedirectError explains a redirect of the JSON-RPC endpoint, which
// never redirects itself: what is in front of it, or the URL, is wrong.
func (c *conn) apiRedirectError(resp *response, loc *url.URL, shown string) error {
	if strings.Contains(loc.Path, loginPath) {
		return c.fail(ErrNotRhodeCode, nil, "%s redirected to a login page (%s): that is not the RhodeCode API; check the URL and any proxy or single sign-on in front of it", resp.url, shown)
	}
	if loc.Scheme == "https" && c.base.Scheme == "http" && strings.EqualFold(loc.Hostname(), c.base.Hostname()) {
		suggest := "https://" + loc.Host + strings.TrimSuffix(loc.Path, baseurl.APIPath)
		if !strings.HasSuffix(loc.Path, baseurl.APIPath) {
			suggest = "https://" + loc.Host + c.base.Path
		}
		return c.fail(ErrNotRhodeCode, nil, "%s redirects to HTTPS (%s); use %s as the URL", resp.url, shown, strings.TrimRight(suggest, "/"))
	}
	return c.fail(ErrNotRhodeCode, nil, "%s redirects to %s; redirects are not followed so the token stays with %s; check the URL", resp.url, shown, c.host)
}

func (c *conn) passwordChangeError() error {
	return c.fail(ErrPasswordChangeRequired, nil, "%s requires a password change before anything else: change the password in the web UI (My Account → Password), then log in again", c.host)
}

// Where a redirect points, relative to the instance.
const (
	locForeign  = iota // another server, or outside the base path
	locLogin           // the login page: not (or no longer) logged in
	locPassword        // forced password change
	locTokens          // the token list
	locOther           // another page of the instance
)

// locate classifies a 3xx answer's Location; loc is nil when there is no
// usable one. The Location itself is never requested: the web session
// requests its own URL for the page the Location names.
func (c *conn) locate(resp *response) (kind int, loc *url.URL) {
	loc, err := resp.Location()
	if err != nil {
		return locForeign, nil
	}
	if !baseurl.SameServer(loc, c.base) {
		return locForeign, loc
	}
	rel, ok := strings.CutPrefix(loc.Path, c.base.Path)
	if !ok || rel != "" && rel[0] != '/' {
		return locForeign, loc
	}
	switch strings.TrimRight(rel, "/") {
	case loginPath:
		return locLogin, loc
	case passwordPath:
		return locPassword, loc
	case tokensPath:
		return locTokens, loc
	}
	return locOther, loc
}

// describeBody names what came back, for error messages.
func describeBody(resp *http.Response, body []byte) string {
	ct := resp.Header.Get("Content-Type")
	switch {
	case len(strings.TrimSpace(string(body))) == 0:
		return "an empty body"
	case looksHTML(ct, body):
		return "an HTML page"
	case ct != "":
		mt, _, _ := strings.Cut(ct, ";")
		return "a " + strings.TrimSpace(mt) + " body"
	}
	return "a non-JSON body"
}

func looksHTML(contentType string, body []byte) bool {
	if strings.Contains(strings.ToLower(contentType), "html") {
		return true
	}
	trimmed := strings.TrimSpace(string(body[:min(len(body), 512)]))
	return strings.HasPrefix(trimmed, "<")
}
