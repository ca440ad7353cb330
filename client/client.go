// Package client talks to a RhodeCode instance: Client calls its JSON-RPC
// API (<base>/_admin/api), which identifies a token's user; WebSession
// drives its web UI (login form, My Account → Auth tokens), the only way
// to create, list, reveal and delete tokens.
//
// Errors are classified for the caller: *APIError for JSON-RPC error
// replies, and the sentinels ErrAuth, ErrUnreachable and ErrNotRhodeCode
// (see errors.Is) for everything else, each with a one-line message that
// names the host. No message contains the token or another secret the
// connection knows (password, session cookie, CSRF token, revealed
// tokens), even where it quotes the server, and %v of a Client or a
// WebSession shows none of them. Redirects are never followed, so the
// token is sent to the configured base URL only.
//
// Both halves share one connection (conn.go) and one classifier of what
// can go wrong on it (classify.go), so a failure reads the same whichever
// half met it. What a base URL is belongs to internal/baseurl, how a
// secret is shown to internal/secret.
package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"strconv"
	"sync/atomic"

	"github.com/rhodecode-cli/rhodecode/internal/baseurl"
	"github.com/rhodecode-cli/rhodecode/internal/secret"
)

// Client calls the JSON-RPC API of one RhodeCode instance with one token.
// It is safe for concurrent use.
type Client struct {
	*conn
	endpoint string       // base + /_admin/api
	token    secret.Value // shown only in the request envelope
	lastID   atomic.Int64
}

// New returns a client for the instance at baseURL (scheme http or https,
// a host, optionally a path prefix; a trailing "/" and a trailing
// "/_admin/api" are removed). The token is only ever sent to that URL.
func New(baseURL, token string, opts Options) (*Client, error) {
	cn, err := newConn(baseURL, opts, token)
	if err != nil {
		return nil, err
	}
	return &Client{conn: cn, endpoint: cn.base.String() + baseurl.APIPath, token: secret.New(token)}, nil
}

// BaseURL returns the normalised instance URL, without trailing slash.
func (c *Client) BaseURL() string { return c.base.String() }

// request is the JSON-RPC envelope (protocol §2.2).
type request struct {
	ID        int64           `json:"id"`
	AuthToken string          `json:"auth_token"`
	Method    string          `json:"method"`
	Args      json.RawMessage `json:"args"`
}

// Call invokes a JSON-RPC method. args must encode to a JSON object (nil
// means {}); the result is decoded into out unless out is nil.
//
// The error is an *APIError for an error reply, wraps ErrUnreachable,
// ErrNotRhodeCode or context.Canceled otherwise; see the package doc.
func (c *Client) Call(ctx context.Context, method string, args any, out any) error {
	return c.call(ctx, c.token.Reveal(), method, args, out)
}

// CheckServer asks whether the base URL answers as RhodeCode, before any
// secret is typed or sent: a get_user call without a token, which the API
// refuses with its JSON-RPC error "Missing 'api_key or auth_token'"
// (protocol §2.3, row 5). Any JSON-RPC error reply from <base>/_admin/api
// counts as RhodeCode; everything else is the error a call would get
// (ErrUnreachable, ErrNotRhodeCode, context.Canceled).
func (c *Client) CheckServer(ctx context.Context) error {
	err := c.call(ctx, "", "get_user", nil, nil)
	var apiErr *APIError
	switch {
	case errors.As(err, &apiErr):
		return nil
	case err == nil:
		return c.fail(ErrNotRhodeCode, nil, "%s answered a request without a token as if it had one; that is not the RhodeCode API, check the URL", c.endpoint)
	}
	return err
}

// Reply is the answer to CallRaw, as the server sent it but for the
// client's own token and those given to Redact, which are "[REDACTED]"
// wherever they appear (get_user lists them among auth_tokens).
type Reply struct {
	// Result is the result member; "null" for an error reply.
	Result json.RawMessage
	// Envelope is the whole response body: id, result, error and
	// whatever else the server added.
	Envelope json.RawMessage
	// Deprecation is the DEPRECATION_WARNING a deprecated method adds.
	Deprecation string
}

// Redact adds a secret the caller knows (the tool's VCS token, say) to
// those scrubbed from answers, errors and the --debug trace.
func (c *Client) Redact(secret string) { c.addSecret(secret) }

// CallRaw invokes any JSON-RPC method with args (a JSON object; nil means
// {}), for callers that print the answer rather than decode it. An error
// reply returns both the Reply and the *APIError; other errors as Call.
func (c *Client) CallRaw(ctx context.Context, method string, args json.RawMessage) (*Reply, error) {
	resp, id, err := c.post(ctx, c.token.Reveal(), method, args)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, c.statusError(resp)
	}
	r := &Reply{Envelope: json.RawMessage(c.scrub(string(resp.body)))}
	err = c.decodeReply(resp.Response, method, id, r.Envelope, &r.Result)
	var apiErr *APIError
	if err != nil && !errors.As(err, &apiErr) {
		return nil, err
	}
	if r.Result == nil {
		r.Result = json.RawMessage("null") // an error reply's
	}
	var extra struct {
		Deprecation string `json:"DEPRECATION_WARNING"`
	}
	if json.Unmarshal(r.Envelope, &extra) == nil {
		r.Deprecation = extra.Deprecation
	}
	return r, err
}

func (c *Client) call(ctx context.Context, token, method string, args any, out any) error {
	resp, id, err := c.post(ctx, token, method, args)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return c.statusError(resp)
	}
	return c.decodeReply(resp.Response, method, id, resp.body, out)
}

// post sends one JSON-RPC request and reads the answer, whatever its
// status; id is the request's.
func (c *Client) post(ctx context.Context, token, method string, args any) (*response, int64, error) {
	if method == "" {
		return nil, 0, errors.New("client: empty method name")
	}
	rawArgs, err := encodeArgs(args)
	if err != nil {
		return nil, 0, fmt.Errorf("client: arguments of %s: %w", method, err)
	}
	id := c.lastID.Add(1) // non-zero: a falsy id gets a bare "" reply
	body, err := json.Marshal(request{ID: id, AuthToken: token, Method: method, Args: rawArgs})
	if err != nil {
		return nil, 0, fmt.Errorf("client: encoding %s request: %w", method, err)
	}

	resp, err := c.send(ctx, exchange{
		method: http.MethodPost,
		url:    c.endpoint,
		shown:  c.endpoint,
		body:   bytes.NewReader(body),
		want:   apiSurface,
		prepare: func(req *http.Request) {
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Accept", "application/json")
		},
	})
	return resp, id, err
}

func encodeArgs(args any) (json.RawMessage, error) {
	if args == nil {
		return json.RawMessage("{}"), nil
	}
	b, err := json.Marshal(args)
	if err != nil {
		return nil, err
	}
	b = bytes.TrimSpace(b)
	if string(b) == "null" {
		return json.RawMessage("{}"), nil
	}
	if len(b) == 0 || b[0] != '{' {
		return nil, fmt.Errorf("must be a JSON object, got %.20s", b)
	}
	return b, nil
}

// decodeReply checks the envelope of a 200 answer (protocol §2.4).
func (c *Client) decodeReply(resp *http.Response, method string, id int64, data []byte, out any) error {
	if looksHTML(resp.Header.Get("Content-Type"), data) {
		return c.fail(ErrNotRhodeCode, nil, "%s answered with an HTML page (HTTP %d), not the RhodeCode API; check the URL", c.endpoint, resp.StatusCode)
	}
	var env map[string]json.RawMessage
	if err := json.Unmarshal(data, &env); err != nil {
		if json.Valid(data) {
			return c.fail(ErrNotRhodeCode, nil, "%s answered with JSON that is not a JSON-RPC response; check the URL", c.endpoint)
		}
		return c.fail(ErrNotRhodeCode, nil, "%s answered with %s (HTTP %d), not the RhodeCode API; check the URL", c.endpoint, describeBody(resp, data), resp.StatusCode)
	}
	rawID, hasID := env["id"]
	rawResult, hasResult := env["result"]
	rawErr, hasErr := env["error"]
	if !hasID || !hasResult || !hasErr {
		return c.fail(ErrNotRhodeCode, nil, "%s answered with JSON that is not a JSON-RPC response; check the URL", c.endpoint)
	}
	sameID := idEquals(rawID, id)
	if !isNull(rawErr) {
		// Errors found before the id was read (bad method, body) carry
		// a null id; any other id must be ours.
		if !sameID && !isNull(rawID) {
			return c.idMismatch(rawID, id)
		}
		return c.apiError(method, rawErr, resp)
	}
	if !sameID {
		return c.idMismatch(rawID, id)
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(rawResult, out); err != nil {
		return c.errorf("%s: unexpected result of %s: %w", c.host, method, err)
	}
	return nil
}

func (c *Client) idMismatch(got json.RawMessage, want int64) error {
	return c.fail(ErrNotRhodeCode, nil, "%s answered request %d with the answer to request %.40s; a proxy or cache in between is mixing up answers", c.host, want, got)
}

// apiError builds the *APIError of an error reply. Everything in it that
// the server sent is scrubbed of the connection's secrets: a server or
// proxy that quotes the request in its error quotes the token too.
func (c *Client) apiError(method string, raw json.RawMessage, resp *http.Response) error {
	e := &APIError{Host: c.host, Method: method, ExceptionID: c.scrubText(resp.Header.Get("RhodeCode-Exception-Id"))}
	var msg string
	var fields map[string]any
	switch {
	case json.Unmarshal(raw, &msg) == nil:
		e.Kind = classifyAPIError(msg)
		e.Message = c.scrubText(msg)
	case json.Unmarshal(raw, &fields) == nil:
		// A colander schema error: field → message.
		e.Kind = KindValidation
		e.Fields = make(map[string]string, len(fields))
		for k, v := range fields {
			s, ok := v.(string)
			if !ok {
				b, _ := json.Marshal(v)
				s = string(b)
			}
			e.Fields[c.scrubText(k)] = c.scrubText(s)
		}
		e.Message = validationMessage(e.Fields)
	default:
		e.Message = c.scrubText(string(raw))
	}
	return e
}

func isNull(raw json.RawMessage) bool {
	return string(bytes.TrimSpace(raw)) == "null"
}

// idEquals compares the echoed id by value (1 and 1.0 are the same number).
func idEquals(raw json.RawMessage, id int64) bool {
	raw = bytes.TrimSpace(raw)
	var n json.Number
	if len(raw) == 0 || raw[0] == '"' || json.Unmarshal(raw, &n) != nil {
		return false
	}
	if n.String() == strconv.FormatInt(id, 10) {
		return true
	}
	f, ok := new(big.Float).SetString(n.String())
	return ok && f.Cmp(new(big.Float).SetInt64(id)) == 0
}
