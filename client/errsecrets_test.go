package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/rhodecode-cli/rhodecode/internal/fakerc"
	"github.com/rhodecode-cli/rhodecode/internal/termtext"
)

// echoToken is the API token of these tests; f00dface does not occur in
// any other text, so a piece of it in a message is a leak.
const echoToken = "f00dface" + "0123456789abcdef0123456789abcdef"

// rawAnswer writes a whole HTTP answer by hand, for status texts that
// net/http would not send.
func rawAnswer(w http.ResponseWriter, status, contentType, body string) {
	conn, buf, err := w.(http.Hijacker).Hijack()
	if err != nil {
		panic(err)
	}
	defer conn.Close()
	fmt.Fprintf(buf, "HTTP/1.1 %s\r\nContent-Type: %s\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s", status, contentType, len(body), body)
	buf.Flush()
}

// echoServer answers every JSON-RPC request with an answer built from the
// request body, the way a proxy or a server that quotes what it could not
// handle does.
func echoServer(t *testing.T, answer func(w http.ResponseWriter, id json.RawMessage, body string)) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		var req struct{ ID json.RawMessage }
		_ = json.Unmarshal(b, &req)
		answer(w, req.ID, string(b))
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// assertNoSecret fails if text holds a secret or its first 8 characters.
func assertNoSecret(t *testing.T, what, text string, secrets ...string) {
	t.Helper()
	for _, s := range secrets {
		if strings.Contains(text, s[:8]) {
			t.Errorf("%s shows a secret (%s…): %s", what, s[:8], text)
		}
	}
}

// TestAPIErrorsNeverEmbedTheToken: a JSON-RPC error, an id or a status
// text that echoes the request shows [REDACTED] where the token was, with
// and without the debug trace.
func TestAPIErrorsNeverEmbedTheToken(t *testing.T) {
	cases := map[string]func(w http.ResponseWriter, id json.RawMessage, body string){
		"error text": func(w http.ResponseWriter, id json.RawMessage, body string) {
			fmt.Fprintf(w, `{"id": %s, "result": null, "error": %s}`, id, jsonString("bad request: "+body))
		},
		"error object": func(w http.ResponseWriter, id json.RawMessage, body string) {
			fmt.Fprintf(w, `{"id": %s, "result": null, "error": {"request": %s}}`, id, jsonString(body))
		},
		"error exception id": func(w http.ResponseWriter, id json.RawMessage, body string) {
			w.Header().Set("RhodeCode-Exception-Id", echoToken)
			fmt.Fprintf(w, `{"id": %s, "result": null, "error": "Internal server error"}`, id)
		},
		"id": func(w http.ResponseWriter, id json.RawMessage, body string) {
			fmt.Fprintf(w, `{"id": %s, "result": null, "error": "x"}`, jsonString(body))
		},
		"status text": func(w http.ResponseWriter, id json.RawMessage, body string) {
			rawAnswer(w, "400 bad request: "+body, "text/plain", "no")
		},
	}
	for name, answer := range cases {
		for _, debug := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/debug=%v", name, debug), func(t *testing.T) {
				var trace bytes.Buffer
				opts := Options{}
				if debug {
					opts.Debug = &trace
				}
				c := newClient(t, echoServer(t, answer), echoToken, opts)
				_, err := c.GetUser(context.Background())
				if err == nil {
					t.Fatal("no error")
				}
				msg := err.Error()
				assertNoSecret(t, "error", msg, echoToken)
				if !strings.Contains(msg, Redacted) {
					t.Errorf("error does not show where the token was: %s", msg)
				}
				var ae *APIError
				if errors.As(err, &ae) {
					assertNoSecret(t, "APIError", fmt.Sprintf("%+v %v", *ae, ae.Fields), echoToken)
				}
				assertNoSecret(t, "trace", trace.String(), echoToken)
			})
		}
	}
}

// TestAPIErrorTokenSplitByAControl: a server that splits the echoed
// token with an ESC (\u001b in JSON) would have it appear whole once cmd
// prints the error through the sanitiser, which drops the ESC; the error
// shows [REDACTED] instead (found by FuzzDecodeReply).
func TestAPIErrorTokenSplitByAControl(t *testing.T) {
	for _, ctl := range []string{"\x1b", "\u202e", "\u200b", "\x7f"} {
		url := echoServer(t, func(w http.ResponseWriter, id json.RawMessage, _ string) {
			fmt.Fprintf(w, `{"id": %s, "result": null, "error": %s}`, id, jsonString("echo "+echoToken[:12]+ctl+echoToken[12:]))
		})
		_, err := newClient(t, url, echoToken, Options{}).GetUser(context.Background())
		if err == nil {
			t.Fatal("no error")
		}
		if msg := termtext.OneLine(err.Error()); strings.Contains(msg, echoToken) || !strings.Contains(msg, Redacted) {
			t.Errorf("%+q: printed error %q shows the token or not where it was", ctl, msg)
		}
	}
}

// TestWebErrorsNeverEmbedSecrets: the password and the session cookie
// echoed in a status text do not reach the error.
func TestWebErrorsNeverEmbedSecrets(t *testing.T) {
	const cookie = "f00dc00k1e0123456789"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		rawAnswer(w, "400 cannot handle "+string(b)+" with "+r.Header.Get("Cookie"), "text/html", "<p>no</p>")
	}))
	defer srv.Close()
	for _, debug := range []bool{false, true} {
		var trace bytes.Buffer
		opts := Options{}
		if debug {
			opts.Debug = &trace
		}
		w := newWeb(t, srv.URL, opts)
		err := w.Login(context.Background(), "alice", alicePassword)
		if err == nil {
			t.Fatal("login: no error")
		}
		assertNoSecret(t, "login error", err.Error(), alicePassword, "correct+horse+battery")
		if err := w.SetSessionCookie("rhodecode_session=" + cookie); err != nil {
			t.Fatal(err)
		}
		_, err = w.TokenPage(context.Background())
		if err == nil {
			t.Fatal("token page: no error")
		}
		assertNoSecret(t, "token page error", err.Error(), cookie)
		if !strings.Contains(err.Error(), "rhodecode_session="+Redacted) {
			t.Errorf("token page error: %v", err)
		}
		assertNoSecret(t, "trace", trace.String(), alicePassword, cookie)
	}
}

// TestClientsNeverPrintSecrets: %v of a client or a web session, however
// deep, shows none of the secrets they hold.
func TestClientsNeverPrintSecrets(t *testing.T) {
	srv := fakerc.New(t)
	srv.AddUser(fakerc.User{Username: "alice", Password: alicePassword, Active: true})
	w := newWeb(t, srv.URL, Options{})
	if err := w.Login(context.Background(), "alice", alicePassword); err != nil {
		t.Fatal(err)
	}
	page, err := w.TokenPage(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	cookie := w.SessionCookie()
	_, value, _ := strings.Cut(cookie, "=")
	c := newClient(t, srv.URL, echoToken, Options{})
	var out strings.Builder
	for _, verb := range []string{"%v", "%+v", "%#v"} {
		fmt.Fprintf(&out, verb+"\n"+verb+"\n"+verb+"\n", c, w, c.conn)
		fmt.Fprintf(&out, verb+"\n", struct{ C, W any }{c, w})
	}
	assertNoSecret(t, "%v of a client", out.String(), echoToken, value, page.CSRFToken)
}
