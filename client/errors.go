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
	"sort"
	"strings"
	"syscall"
)

// Sentinel errors. Every error from a Client call that is not a plain
// *APIError, a context error or a bad argument wraps exactly one of them;
// test with errors.Is.
var (
	// ErrAuth means the server needs a (different) token: the token was
	// rejected, is missing, its role does not allow API calls, or its
	// user or address is not allowed. *APIError matches it for those kinds.
	ErrAuth = errors.New("authentication failed")
	// ErrUnreachable means no answer came from the server: DNS failure,
	// connection refused or dropped, timeout, TLS handshake or certificate
	// problem, or a gateway (502/503/504) reporting the server down.
	ErrUnreachable = errors.New("server unreachable")
	// ErrNotRhodeCode means something answered, but not the RhodeCode
	// JSON-RPC API: an HTML page, a 404, a redirect, a server error page,
	// or JSON that is not a JSON-RPC envelope (or answers another request).
	ErrNotRhodeCode = errors.New("not a RhodeCode API")
)

// ErrorKind classifies the error text of a JSON-RPC error reply.
type ErrorKind int

// The kinds of API errors (protocol §2.3).
const (
	// KindOther is any other error, usually from the method itself.
	KindOther ErrorKind = iota
	// KindInvalidToken: "Invalid API KEY" (unknown, expired or revoked token).
	KindInvalidToken
	// KindBadRole: the token is not an api/all token or is repository-scoped.
	KindBadRole
	// KindUserNotAllowed: the token's user is inactive.
	KindUserNotAllowed
	// KindIPNotAllowed: the client address is not in the IP whitelist.
	KindIPNotAllowed
	// KindMissingToken: the request carried no token.
	KindMissingToken
	// KindNoSuchMethod: the server does not know the method.
	KindNoSuchMethod
	// KindForbidden: the user lacks the permission (usually super-admin).
	KindForbidden
	// KindInternal: "Internal server error"; see APIError.ExceptionID.
	KindInternal
	// KindValidation: a schema error, reported as an object; see
	// APIError.Fields.
	KindValidation
)

var kindNames = map[ErrorKind]string{
	KindOther:          "other",
	KindInvalidToken:   "invalid token",
	KindBadRole:        "bad role",
	KindUserNotAllowed: "user not allowed",
	KindIPNotAllowed:   "IP not allowed",
	KindMissingToken:   "missing token",
	KindNoSuchMethod:   "no such method",
	KindForbidden:      "forbidden",
	KindInternal:       "internal error",
	KindValidation:     "validation error",
}

// String returns a short name of the kind.
func (k ErrorKind) String() string {
	if s, ok := kindNames[k]; ok {
		return s
	}
	return fmt.Sprintf("ErrorKind(%d)", int(k))
}

// APIError is a JSON-RPC error reply: the server understood the request
// and refused or failed it.
type APIError struct {
	Host    string // host[:port] of the server
	Method  string // the JSON-RPC method called
	Message string // the server's error text, verbatim
	Kind    ErrorKind
	// Fields holds field → message for KindValidation.
	Fields map[string]string
	// ExceptionID is the RhodeCode-Exception-Id header, if any (KindInternal).
	ExceptionID string
}

// Error returns one line naming the host, the server's text and what to do.
func (e *APIError) Error() string {
	switch e.Kind {
	case KindInvalidToken:
		return fmt.Sprintf("%s rejected the API token (%s): it is wrong, expired or revoked; run rhodecode auth login", e.Host, e.Message)
	case KindBadRole:
		return fmt.Sprintf("%s refused the API token (%s): API calls need a token with role \"api calls\" or \"all\" and no repository scope; create one under My Account → Auth tokens", e.Host, e.Message)
	case KindUserNotAllowed:
		return fmt.Sprintf("%s refused the API token (%s): its user account is disabled; ask a RhodeCode administrator", e.Host, e.Message)
	case KindIPNotAllowed:
		return fmt.Sprintf("%s refused the request (%s): your address is not in the user's IP whitelist; ask a RhodeCode administrator", e.Host, e.Message)
	case KindMissingToken:
		return fmt.Sprintf("%s needs an API token (%s); run rhodecode auth login", e.Host, e.Message)
	case KindNoSuchMethod:
		return fmt.Sprintf("%s does not provide the API method %s (%s); the RhodeCode version may be too old", e.Host, e.Method, e.Message)
	case KindForbidden:
		return fmt.Sprintf("%s denied %s (%s): the token's user lacks the permission, usually super-admin rights", e.Host, e.Method, e.Message)
	case KindInternal:
		if e.ExceptionID != "" {
			return fmt.Sprintf("%s failed in %s (%s, exception id %s); an administrator can look it up under Admin → Exceptions", e.Host, e.Method, e.Message, e.ExceptionID)
		}
		return fmt.Sprintf("%s failed in %s (%s)", e.Host, e.Method, e.Message)
	}
	return fmt.Sprintf("%s: %s: %s", e.Host, e.Method, e.Message)
}

// Is makes errors.Is(err, ErrAuth) true for the kinds that mean the token
// cannot be used.
func (e *APIError) Is(target error) bool {
	if target != ErrAuth {
		return false
	}
	switch e.Kind {
	case KindInvalidToken, KindBadRole, KindUserNotAllowed, KindIPNotAllowed, KindMissingToken:
		return true
	}
	return false
}

// classifyAPIError maps the error texts of protocol §2.3 to kinds.
func classifyAPIError(msg string) ErrorKind {
	switch {
	case msg == "Invalid API KEY":
		return KindInvalidToken
	case msg == "API KEY invalid or, has bad role for an API call", // 4.7+
		msg == "API KEY has bad role for an API call": // 4.0–4.6
		return KindBadRole
	case msg == "Request from this user not allowed":
		return KindUserNotAllowed
	case strings.HasPrefix(msg, "Request from IP:") && strings.HasSuffix(msg, " not allowed"):
		return KindIPNotAllowed
	case msg == "Incorrect JSON data. Missing 'api_key or auth_token'":
		return KindMissingToken
	case strings.HasPrefix(msg, "No such method: "):
		return KindNoSuchMethod
	case msg == "Access was denied to this resource.":
		return KindForbidden
	case msg == "Internal server error":
		return KindInternal
	}
	return KindOther
}

// validationMessage flattens a schema error object into one line.
func validationMessage(fields map[string]string) string {
	keys := make([]string, 0, len(fields))
	for k := range fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + ": " + fields[k]
	}
	return strings.Join(parts, "; ")
}

// callError is a classified transport or protocol error: a one-line
// message for people, the sentinel and the underlying cause for code.
type callError struct {
	msg      string
	sentinel error
	cause    error
}

func (e *callError) Error() string { return e.msg }

func (e *callError) Unwrap() []error {
	if e.cause == nil {
		return []error{e.sentinel}
	}
	return []error{e.sentinel, e.cause}
}

func newCallError(sentinel, cause error, format string, args ...any) error {
	return &callError{msg: fmt.Sprintf(format, args...), sentinel: sentinel, cause: cause}
}

// errOwnTimeout is the cancel cause of the per-request timeout, to tell it
// apart from the caller's deadline.
var errOwnTimeout = errors.New("client timeout")

// transportError turns an error of http.Client.Do (or of reading the
// body) into a one-line message that names the host.
func (c *Client) transportError(ctx, reqCtx context.Context, err error) error {
	host := c.host
	// The caller's context comes first: an interrupted command is not a
	// network problem.
	if ctxErr := ctx.Err(); ctxErr != nil {
		if errors.Is(ctxErr, context.Canceled) {
			return fmt.Errorf("request to %s canceled: %w", host, ctxErr)
		}
		return newCallError(ErrUnreachable, ctxErr, "%s did not answer before the deadline", host)
	}
	if errors.Is(context.Cause(reqCtx), errOwnTimeout) {
		return newCallError(ErrUnreachable, context.DeadlineExceeded, "%s did not answer within %s", host, c.timeout)
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
			return newCallError(ErrUnreachable, err, "cannot reach %s: no such host; check the URL", host)
		}
		return newCallError(ErrUnreachable, err, "cannot reach %s: DNS lookup failed (%s)", host, dnsErr.Err)
	case errors.Is(err, syscall.ECONNREFUSED):
		return newCallError(ErrUnreachable, err, "cannot reach %s: connection refused; is the server running and the port right?", host)
	case errors.As(err, &certErr):
		return newCallError(ErrUnreachable, err, "TLS certificate of %s is not trusted: %s", host, certReason(certErr.Err))
	case errors.As(err, &unknownAuth), errors.As(err, &hostErr), errors.As(err, &invalidErr):
		return newCallError(ErrUnreachable, err, "TLS certificate of %s is not trusted: %s", host, certReason(err))
	case errors.As(err, &recordErr):
		return newCallError(ErrUnreachable, err, "TLS handshake with %s failed: it does not speak HTTPS on this port; try http://", host)
	case errors.As(err, &alertErr):
		return newCallError(ErrUnreachable, err, "TLS handshake with %s failed: %s", host, alertErr.Error())
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, syscall.ECONNRESET):
		return newCallError(ErrUnreachable, err, "cannot reach %s: the connection was closed before an answer arrived", host)
	case errors.As(err, &netErr) && netErr.Timeout():
		return newCallError(ErrUnreachable, err, "%s did not answer within %s", host, c.timeout)
	}
	return newCallError(ErrUnreachable, err, "cannot reach %s: %s", host, innermost(err))
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

// statusError explains a non-200 answer (the JSON-RPC layer always answers
// 200, so anything else comes from elsewhere).
func (c *Client) statusError(resp *http.Response, endpoint string, body []byte) error {
	status := resp.Status
	if status == "" {
		status = fmt.Sprint(resp.StatusCode)
	}
	code := resp.StatusCode
	switch {
	case code >= 300 && code < 400:
		return c.redirectError(resp, endpoint)
	case code == http.StatusNotFound:
		return newCallError(ErrNotRhodeCode, nil, "%s answered HTTP %s: there is no RhodeCode API at this address; check the URL (the instance's base URL, including any path prefix)", endpoint, status)
	case code == http.StatusUnauthorized || code == http.StatusProxyAuthRequired:
		return newCallError(ErrNotRhodeCode, nil, "%s answered HTTP %s: something in front of RhodeCode (a proxy or gateway) asks for its own authentication", endpoint, status)
	case code == http.StatusBadGateway || code == http.StatusServiceUnavailable || code == http.StatusGatewayTimeout:
		return newCallError(ErrUnreachable, nil, "%s answered HTTP %s: the RhodeCode server behind the proxy is down or overloaded; try again later", endpoint, status)
	case code >= 500:
		if id := resp.Header.Get("RhodeCode-Exception-Id"); id != "" {
			return newCallError(ErrNotRhodeCode, nil, "%s failed with HTTP %s (RhodeCode exception id %s); an administrator can look it up under Admin → Exceptions", endpoint, status, id)
		}
		return newCallError(ErrNotRhodeCode, nil, "%s answered HTTP %s with %s, not the RhodeCode API; check the URL or try again later", endpoint, status, describeBody(resp, body))
	}
	return newCallError(ErrNotRhodeCode, nil, "%s answered HTTP %s with %s, not the RhodeCode API; check the URL", endpoint, status, describeBody(resp, body))
}

// redirectError explains a 3xx. Redirects are never followed: the token
// must not travel to wherever a redirect points.
func (c *Client) redirectError(resp *http.Response, endpoint string) error {
	loc, err := resp.Location()
	if err != nil {
		return newCallError(ErrNotRhodeCode, nil, "%s answered HTTP %s (a redirect without a usable Location); check the URL", endpoint, resp.Status)
	}
	shown := RedactURL(loc.String())
	if strings.Contains(loc.Path, "/_admin/login") {
		return newCallError(ErrNotRhodeCode, nil, "%s redirected to a login page (%s): that is not the RhodeCode API; check the URL and any proxy or single sign-on in front of it", endpoint, shown)
	}
	if loc.Scheme == "https" && c.baseURL.Scheme == "http" && strings.EqualFold(loc.Hostname(), c.baseURL.Hostname()) {
		suggest := "https://" + loc.Host + strings.TrimSuffix(loc.Path, apiPath)
		if !strings.HasSuffix(loc.Path, apiPath) {
			suggest = "https://" + loc.Host + c.baseURL.Path
		}
		return newCallError(ErrNotRhodeCode, nil, "%s redirects to HTTPS (%s); use %s as the URL", endpoint, shown, strings.TrimRight(suggest, "/"))
	}
	return newCallError(ErrNotRhodeCode, nil, "%s redirects to %s; redirects are not followed so the token stays with %s; check the URL", endpoint, shown, c.host)
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
