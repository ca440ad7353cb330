package client

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rhodecode-cli/rhodecode/internal/fakerc"
)

// Hostile servers at the client level (issue 11); cmd/hostile_test.go
// drives the same through the commands. Redirects, wrong content types
// and echoed secrets are covered by TestRedirectsNotFollowed,
// TestRedirectToHTTPS, TestWebRedirectsStayOnInstance, TestFaults,
// TestProtocolAnswers and errsecrets_test.go; here: answers too big to
// read, and answers that never finish, on both surfaces.

// hostileCalls are one request of each surface, each with a secret it
// carries.
var hostileCalls = map[string]func(t *testing.T, base string, opts Options) error{
	"api get_user": func(t *testing.T, base string, opts Options) error {
		_, err := newClient(t, base, echoToken, opts).GetUser(context.Background())
		return err
	},
	"web login": func(t *testing.T, base string, opts Options) error {
		return newWeb(t, base, opts).Login(context.Background(), "alice", alicePassword)
	},
	"web token page": func(t *testing.T, base string, opts Options) error {
		w := newWeb(t, base, opts)
		if err := w.SetSessionCookie("rhodecode_session=f00dc00k1e0123456789"); err != nil {
			t.Fatal(err)
		}
		_, err := w.TokenPage(context.Background())
		return err
	},
}

// TestHostileAnswers: every call on every surface ends with the sentinel
// and message of its case, within the timeout, having read no more than
// the cap, and shows no secret.
func TestHostileAnswers(t *testing.T) {
	const total = 50 << 20
	var written atomic.Int64
	// giant writes a 50 MiB body; after the cap and 4 MiB of socket
	// buffers it waits for the client to hang up, so that a client that
	// read on would time out rather than report the cap.
	giant := func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.ReadAll(r.Body)
		w.Header().Set("Content-Length", strconv.Itoa(total))
		buf := bytes.Repeat([]byte("a"), 64<<10)
		for written.Load() < maxResponseBody+4<<20 {
			n, err := w.Write(buf)
			written.Add(int64(n))
			if err != nil {
				return
			}
		}
		select {
		case <-r.Context().Done():
		case <-time.After(10 * time.Second):
		}
	}
	stall := func(partial string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.ReadAll(r.Body)
			conn, buf, err := w.(http.Hijacker).Hijack()
			if err != nil {
				panic(err)
			}
			defer conn.Close()
			_, _ = buf.WriteString(partial)
			_ = buf.Flush()
			_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
			_, _ = io.Copy(io.Discard, conn)
		}
	}
	const short = 300 * time.Millisecond
	cases := []struct {
		name    string
		handler http.HandlerFunc
		timeout time.Duration // long enough to read 32 MiB, or short
		want    error
		msg     string
	}{
		{"50 MiB body", giant, 5 * time.Second, ErrNotRhodeCode, "answered with more than 32 MiB"},
		{"status line never ends", stall("HTTP/1.1 20"), short, ErrUnreachable, "did not answer within 300ms"},
		{"headers never end", stall("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nX-Never: "), short, ErrUnreachable, "did not answer within 300ms"},
		{"body never ends", stall("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n<html>"), short, ErrUnreachable, "did not answer within 300ms"},
	}
	for _, tc := range cases {
		for _, tls := range []bool{false, true} {
			for call, do := range hostileCalls {
				name := tc.name + "/" + call
				if tls {
					name += "/tls"
				}
				t.Run(name, func(t *testing.T) {
					written.Store(0)
					var srv *httptest.Server
					if tls {
						srv = httptest.NewTLSServer(tc.handler)
					} else {
						srv = httptest.NewServer(tc.handler)
					}
					defer srv.Close()
					var trace bytes.Buffer
					opts := Options{Timeout: tc.timeout, Debug: &trace}
					if tls {
						opts.Transport = srv.Client().Transport
					}
					start := time.Now()
					err := do(t, srv.URL, opts)
					if took := time.Since(start); took > 2*tc.timeout+time.Second {
						t.Errorf("took %v with a timeout of %v", took, tc.timeout)
					}
					if !errors.Is(err, tc.want) || !strings.Contains(err.Error(), tc.msg) {
						t.Fatalf("err = %v, want %v saying %q", err, tc.want, tc.msg)
					}
					checkMessage(t, err, srv.Listener.Addr().String())
					assertNoSecret(t, "error", err.Error(), echoToken, alicePassword, "f00dc00k1e0123456789")
					assertNoSecret(t, "trace", trace.String(), echoToken, alicePassword, "f00dc00k1e0123456789")
					if n := written.Load(); n >= total {
						t.Errorf("the client read all %d bytes", n)
					}
				})
			}
		}
	}
}

// TestCreateAndRevealLineBreaks: the token page comes back through an HTML
// parser, which turns CR and CRLF into LF; the new token is found anyway
// (a default description holds the server's user name, which may have
// one), and not left behind on the server.
func TestCreateAndRevealLineBreaks(t *testing.T) {
	srv := fakerc.New(t)
	srv.AddUser(fakerc.User{Username: "alice", Password: alicePassword, Active: true})
	w := newWeb(t, srv.URL, Options{})
	if err := w.Login(context.Background(), "alice", alicePassword); err != nil {
		t.Fatal(err)
	}
	for _, desc := range []string{"cr\rhere", "crlf\r\nhere", "lf\nhere"} {
		tok, secret, err := w.CreateAndReveal(context.Background(), "token_role_vcs", desc, 60)
		if err != nil || tok == nil || secret == "" {
			t.Errorf("%+q: %v", desc, err)
		}
	}
}
