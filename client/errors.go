package client

import (
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
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

// Errors of the web session. Each wraps ErrAuth, so the CLI treats them
// like a rejected token (log in again); test with errors.Is.
var (
	// ErrSessionExpired: a page redirected to the login page, so the
	// session cookie is missing, expired or logged out.
	ErrSessionExpired = fmt.Errorf("web session expired: %w", ErrAuth)
	// ErrInvalidCredentials: the login form said "invalid user name" /
	// "invalid password" (or otherwise refused the input).
	ErrInvalidCredentials = fmt.Errorf("invalid user name or password: %w", ErrAuth)
	// ErrAccountDisabled: the login form said "Your account is disabled".
	ErrAccountDisabled = fmt.Errorf("account disabled: %w", ErrAuth)
	// ErrPasswordChangeRequired: the server redirects every page to
	// /_admin/my_account/password until the password is changed.
	ErrPasswordChangeRequired = fmt.Errorf("password change required: %w", ErrAuth)
	// ErrCSRF: a POST was refused with 403, the server's answer to a
	// CSRF token that does not belong to the session.
	ErrCSRF = fmt.Errorf("CSRF token refused: %w", ErrAuth)
)

// ErrTokenNotFound means the user has no auth token with the given id.
var ErrTokenNotFound = errors.New("no such auth token")

// Errors of managing another user's tokens (WebSession.ManageUser,
// Client.GetUserByName). Neither is ErrAuth: the credentials work, they
// just do not reach that far, so logging in again would not help.
var (
	// ErrNotSuperAdmin: the caller is not a super-admin (get_user refused
	// another user, or the admin page answered 404).
	ErrNotSuperAdmin = errors.New("super-admin rights required")
	// ErrNoSuchUser: the server has no user of that name.
	ErrNoSuchUser = errors.New("no such user")
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

// callError is an error the client built: a one-line message for people
// and, for code, what it wraps (a sentinel and the underlying cause, or
// the %w operands of errorf). Only conn's fail and errorf make one, so
// every message is scrubbed of the connection's secrets.
type callError struct {
	msg   string
	wraps []error
}

func (e *callError) Error() string { return e.msg }

func (e *callError) Unwrap() []error { return e.wraps }

// fail builds a classified transport or protocol error that wraps
// sentinel and, if not nil, cause.
func (c *conn) fail(sentinel, cause error, format string, args ...any) error {
	wraps := []error{sentinel}
	if cause != nil {
		wraps = append(wraps, cause)
	}
	return &callError{msg: c.message(format, args...), wraps: wraps}
}

// errorf is fmt.Errorf with fail's scrubbing; what it wraps with %w stays
// visible to errors.Is and errors.As.
func (c *conn) errorf(format string, args ...any) error {
	var wraps []error
	switch w := fmt.Errorf(format, args...).(type) {
	case interface{ Unwrap() []error }:
		wraps = w.Unwrap()
	case interface{ Unwrap() error }:
		wraps = []error{w.Unwrap()}
	}
	return &callError{msg: c.message(format, args...), wraps: wraps}
}

// message formats an error message that may embed what a server sent (a
// status text, an error reply, an id, a flash message) and scrubs it of
// the connection's secrets. String arguments are scrubbed before
// formatting as well: a precision such as %.40s can cut a secret so that
// it no longer matches afterwards.
func (c *conn) message(format string, args ...any) string {
	a := make([]any, len(args))
	for i, v := range args {
		switch v := v.(type) {
		case string:
			a[i] = c.scrubText(v)
		case []byte:
			a[i] = c.scrubText(string(v))
		case json.RawMessage:
			a[i] = c.scrubText(string(v))
		default:
			a[i] = v
		}
	}
	return c.scrub(fmt.Errorf(format, a...).Error())
}
