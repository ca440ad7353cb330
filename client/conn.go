package client

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/rhodecode-cli/rhodecode/internal/baseurl"
)

// DefaultTimeout is the per-request timeout when Options.Timeout is 0.
const DefaultTimeout = 15 * time.Second

// maxResponseBody bounds how much of an answer is read; get_repos on a big
// instance is a few MiB, an endless body must not exhaust memory.
const maxResponseBody = 32 << 20

// Options configures a Client or a WebSession. The zero value is usable.
type Options struct {
	// Timeout bounds each request, from dialing to the end of the body;
	// 0 means DefaultTimeout.
	Timeout time.Duration
	// UserAgent is sent with every request, e.g. "rhodecode-cli/1.2.3";
	// empty means "rhodecode-cli".
	UserAgent string
	// Debug, if not nil, receives an HTTP trace of every request and
	// response with all secrets replaced by "[REDACTED]".
	Debug io.Writer
	// Transport replaces the default transport (a clone of
	// http.DefaultTransport, which honours HTTP(S)_PROXY).
	Transport http.RoundTripper
	// CACertFile, if set, is a PEM file of CA certificates to trust as
	// well as the system's, for an instance behind a private CA. It
	// applies to the default transport only.
	CACertFile string
	// Proxy chooses the proxy of a request, like http.Transport.Proxy;
	// nil means the environment's (HTTPS_PROXY, HTTP_PROXY, NO_PROXY).
	Proxy func(*http.Request) (*url.URL, error)
}

// withDefaults fills what the caller left zero: the timeout, the
// User-Agent and a transport of its own (a clone, so that the API client
// and the web session never share connection state with other code).
func (o Options) withDefaults() Options {
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.UserAgent == "" {
		o.UserAgent = "rhodecode-cli"
	}
	if o.Transport == nil {
		o.Transport = http.DefaultTransport.(*http.Transport).Clone()
	}
	return o
}

// conn is the connection to one instance that Client and WebSession
// share: the base URL, an HTTP client that never follows a redirect, the
// User-Agent, the per-request timeout, the cap on what is read, and the
// redacted debug trace. Its errors are classified in one place
// (classify.go), whichever half of the client asked.
type conn struct {
	base      *url.URL // normalised base URL, no trailing slash
	host      string   // host[:port], for messages
	timeout   time.Duration
	userAgent string
	http      *http.Client
	secrets   *knownSecrets   // scrubbed from the trace and from errors
	debug     *debugTransport // nil without Options.Debug
	// proxy is the transport's proxy choice, to name the proxy in errors.
	proxy func(*http.Request) (*url.URL, error)
}

// newConn checks baseURL (baseurl.ParseExact) and sets up the HTTP
// client. secrets, e.g. the API token, are scrubbed from the debug trace
// and from errors from the first request on.
func newConn(baseURL string, opts Options, secrets ...string) (*conn, error) {
	u, err := baseurl.ParseExact(baseURL)
	if err != nil {
		return nil, instanceURLError(baseURL, err)
	}
	own := opts.Transport == nil
	opts = opts.withDefaults()
	c := &conn{base: u, host: u.Host, timeout: opts.Timeout, userAgent: opts.UserAgent, secrets: &knownSecrets{}}
	if t, ok := opts.Transport.(*http.Transport); ok && own {
		if opts.CACertFile != "" {
			if err := trustCA(t, opts.CACertFile); err != nil {
				return nil, err
			}
		}
		if opts.Proxy != nil {
			t.Proxy = opts.Proxy
		}
		watchProxy(t)
		c.proxy = t.Proxy
	}
	for _, s := range secrets {
		c.secrets.add(s)
	}
	rt := opts.Transport
	if opts.Debug != nil {
		c.debug = newDebugTransport(rt, opts.Debug, c.secrets)
		rt = c.debug
	}
	c.http = &http.Client{
		Transport: rt,
		// Never follow: a redirect would carry the request, and with it
		// the token or the session cookie, to another URL. Callers
		// classify it instead (redirectError). No Jar either: the web
		// session adds its cookies by hand, to the instance only.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	return c, nil
}

// instanceURLError words a baseurl error the way New and NewWebSession
// always have: the messages name the "instance URL" and hide its
// credentials and secret query parameters.
func instanceURLError(raw string, err error) error {
	var e *baseurl.Error
	if !errors.As(err, &e) {
		return err
	}
	raw = strings.TrimSpace(raw)
	shown := StripUserinfo(raw)
	switch e.Problem {
	case baseurl.Empty:
		return errors.New("no instance URL given")
	case baseurl.Malformed:
		return fmt.Errorf("invalid instance URL %q: %v", shown, innermost(e.Err))
	case baseurl.NoScheme:
		return fmt.Errorf("instance URL %q has no scheme; use https://%s", shown, strings.TrimLeft(shown, "/"))
	case baseurl.BadScheme:
		return fmt.Errorf("instance URL %q must start with http:// or https://", shown)
	case baseurl.NoHost:
		return fmt.Errorf("instance URL %q has no host", shown)
	case baseurl.HasUserinfo:
		return fmt.Errorf("instance URL %s must not contain a user name or password", RedactURL(raw))
	case baseurl.HasQuery:
		return fmt.Errorf("instance URL %s must not contain a query or fragment", RedactURL(raw))
	}
	return err
}

// addSecret scrubs a secret learnt after the start (a password, a session
// cookie, a CSRF token, a revealed token) from the rest of the trace and
// from errors.
func (c *conn) addSecret(s string) { c.secrets.add(s) }

// scrub replaces every secret the connection knows in s.
func (c *conn) scrub(s string) string { return c.secrets.scrub(s) }

// scrubText is scrub for text a server sent, which may quote a request
// or another user's secrets: the values of secret JSON keys (auth_token,
// password, …) go too, whoever they belong to.
func (c *conn) scrubText(s string) string {
	return string(redactJSONText([]byte(c.scrub(s))))
}

// surface is what a request expects to find at the instance. Error
// messages name it, and a few answers mean different things on each: a
// 403 to a web form is a refused CSRF token, a redirect to the login page
// an expired session.
type surface int

const (
	apiSurface surface = iota // the JSON-RPC API
	webSurface                // a page or form of the web UI
)

// exchange describes one request to the instance.
type exchange struct {
	method string
	url    string // absolute
	shown  string // url as messages show it
	// body is a *bytes.Reader or *strings.Reader, or nil: that gives the
	// request a Content-Length, which RhodeCode requires (chunked bodies
	// are refused), and GetBody for the trace.
	body io.Reader
	want surface
	// prepare sets the headers the request needs besides User-Agent.
	prepare func(*http.Request)
}

// response is a fully read answer.
type response struct {
	*http.Response
	url  string // the request URL as messages show it
	body []byte
	want surface
}

// roundTrip sends x under the per-request timeout and hands the answer to
// read before the body is closed. Errors of sending, and those read
// returns, come back classified (transportError).
func (c *conn) roundTrip(ctx context.Context, x exchange, read func(*http.Response) error) error {
	reqCtx, cancel := context.WithTimeoutCause(ctx, c.timeout, errOwnTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(reqCtx, x.method, x.url, x.body)
	if err != nil {
		return fmt.Errorf("client: %w", err)
	}
	req.Header.Set("User-Agent", c.userAgent)
	if x.prepare != nil {
		x.prepare(req)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return c.transportError(ctx, reqCtx, err)
	}
	defer resp.Body.Close()
	if err := read(resp); err != nil {
		return c.transportError(ctx, reqCtx, err)
	}
	return nil
}

// send is roundTrip that reads the whole answer, at most maxResponseBody:
// more is not something RhodeCode sends.
func (c *conn) send(ctx context.Context, x exchange) (*response, error) {
	out := &response{url: x.shown, want: x.want}
	err := c.roundTrip(ctx, x, func(resp *http.Response) error {
		out.Response = resp
		var err error
		out.body, err = io.ReadAll(io.LimitReader(resp.Body, maxResponseBody+1))
		return err
	})
	if err != nil {
		return nil, err
	}
	if len(out.body) > maxResponseBody {
		what := "a RhodeCode API answer"
		if x.want == webSurface {
			what = "a RhodeCode page"
		}
		return nil, c.fail(ErrNotRhodeCode, nil, "%s answered with more than %d MiB; that is not %s", x.shown, maxResponseBody>>20, what)
	}
	return out, nil
}
