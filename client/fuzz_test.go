package client

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/rhodecode-cli/rhodecode/internal/secret"
	"github.com/rhodecode-cli/rhodecode/internal/termtext"
)

// FuzzParseTokenPage: any page parses to a token page or to an error that
// matches ErrNotRhodeCode, never anything else; the result does not depend
// on how the body arrives (in small reads it gives the same page); and a
// parsed page keeps its own invariants: masked forms match the secrets,
// texts are trimmed and collapsed as a browser shows them, roles map only
// to what the page offers or to a raw role constant.
func FuzzParseTokenPage(f *testing.F) {
	addPages(f, "testdata/auth_tokens_*.html") // a new layout's page seeds it too
	f.Fuzz(func(t *testing.T, body []byte) {
		page, err := ParseTokenPage(bytes.NewReader(body))
		// One byte at a time costs too much on real pages (~20 KB).
		chunked := iotest.HalfReader(bytes.NewReader(body))
		if len(body) < 4096 {
			chunked = iotest.OneByteReader(bytes.NewReader(body))
		}
		again, err2 := ParseTokenPage(chunked)
		if (err == nil) != (err2 == nil) || !reflect.DeepEqual(page, again) {
			t.Fatalf("parsing in one read and byte by byte differ:\n%+v, %v\n%+v, %v", page, err, again, err2)
		}
		if err != nil {
			if !errors.Is(err, ErrNotRhodeCode) {
				t.Fatalf("error %v does not match ErrNotRhodeCode", err)
			}
			return
		}
		offered := map[string]string{}
		for _, r := range page.Roles {
			if r.Label != collapseSpace([]byte(r.Label)) {
				t.Fatalf("role label %q is not collapsed", r.Label)
			}
			offered[r.Label] = r.Value
		}
		for _, tok := range page.Tokens {
			switch {
			case tok.Secret != "" && tok.Masked != secret.Mask(tok.Secret):
				t.Fatalf("token %d: masked %q is not the mask of its secret", tok.ID, tok.Masked)
			case tok.Secret == "" && tok.Masked != "" && !strings.HasSuffix(tok.Masked, "****"):
				t.Fatalf("token %d: masked %q without a secret", tok.ID, tok.Masked)
			case strings.TrimSpace(tok.Secret) != tok.Secret || strings.TrimSpace(tok.Masked) != tok.Masked ||
				strings.TrimSpace(tok.Description) != tok.Description:
				t.Fatalf("token %d: untrimmed text %+v", tok.ID, tok)
			case tok.RoleLabel != collapseSpace([]byte(tok.RoleLabel)) || tok.Scope != collapseSpace([]byte(tok.Scope)):
				t.Fatalf("token %d: role %q or scope %q not collapsed", tok.ID, tok.RoleLabel, tok.Scope)
			case tok.Expires != nil && tok.Expires.Location().String() != "UTC":
				t.Fatalf("token %d: expiry %v not in UTC", tok.ID, tok.Expires)
			}
			if v, ok := offered[tok.RoleLabel]; ok && tok.Role != v {
				t.Fatalf("token %d: role label %q maps to %q, the page offers it as %q", tok.ID, tok.RoleLabel, tok.Role, v)
			} else if !ok && tok.Role != "" && tok.Role != tok.RoleLabel {
				t.Fatalf("token %d: role %q from nowhere (label %q)", tok.ID, tok.Role, tok.RoleLabel)
			}
		}
		if len(page.Tokens) > 0 && page.Masked != (page.Tokens[0].Secret == "") {
			t.Fatalf("Masked = %v, but the first row's secret is %q", page.Masked, page.Tokens[0].Secret)
		}
		if n := page.Newest(); n != nil && page.FindToken(n.ID) == nil {
			t.Fatalf("Newest %d is not found by FindToken", n.ID)
		}
	})
}

// FuzzParseLoginPage: any answer to the login POST is read without
// failing; the field errors it reports name a form field (or none), are
// collapsed one-line texts, and the verdict "this is the login form"
// needs both inputs on the page.
func FuzzParseLoginPage(f *testing.F) {
	addPages(f, "testdata/login_*.html")
	f.Fuzz(func(t *testing.T, body []byte) {
		lp := parseLoginPage(body)
		if again := parseLoginPage(body); !reflect.DeepEqual(lp, again) {
			t.Fatalf("two parses differ: %+v, %+v", lp, again)
		}
		if lp.isLogin && !(bytes.Contains(body, []byte("username")) && bytes.Contains(body, []byte("password"))) {
			t.Fatalf("login form without both inputs: %q", body)
		}
		for _, fe := range lp.errors {
			if fe.field != "" && fe.field != "username" && fe.field != "password" {
				t.Fatalf("error for unknown field %q", fe.field)
			}
			if fe.msg == "" || fe.msg != collapseSpace([]byte(fe.msg)) {
				t.Fatalf("field error %q is empty or not collapsed", fe.msg)
			}
		}
	})
}

// addPages adds the fixture pages matching pattern to f's seeds, besides
// those under testdata/fuzz/.
func addPages(f *testing.F, pattern string) {
	pages, err := filepath.Glob(pattern)
	if err != nil || len(pages) == 0 {
		f.Fatalf("no fixture pages %s (%v)", pattern, err)
	}
	for _, p := range pages {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
}

// fuzzToken is the API token of FuzzDecodeReply's client: the seeds echo
// it back in every place a server or proxy could.
const fuzzToken = "91fdbdc257289c46633ef5aab274412911de1ba9"

// FuzzDecodeReply: whatever a server answers to a JSON-RPC call (body,
// Content-Type, exception id header), the client accepts only a JSON-RPC
// envelope with our id and a null error; everything else is an *APIError
// or matches ErrNotRhodeCode, a result of the wrong shape an error of its
// own; and the API token never appears in an error, however the server
// echoes it, not even once the sanitiser has dropped what it drops.
func FuzzDecodeReply(f *testing.F) {
	c, err := New("https://rc.example.com", fuzzToken, Options{})
	if err != nil {
		f.Fatal(err)
	}
	const id = 7
	f.Fuzz(func(t *testing.T, body []byte, contentType, exceptionID string) {
		resp := &http.Response{StatusCode: http.StatusOK, Header: http.Header{}}
		resp.Header.Set("Content-Type", contentType)
		resp.Header.Set("RhodeCode-Exception-Id", exceptionID)
		var u User
		err := c.decodeReply(resp, "get_user", id, body, &u)
		if err == nil {
			var env struct {
				ID    json.Number     `json:"id"`
				Error json.RawMessage `json:"error"`
			}
			if json.Unmarshal(body, &env) != nil || !idEquals(json.RawMessage(env.ID), id) || !isNull(env.Error) {
				t.Fatalf("accepted %q, which is not a successful reply to request %d", body, id)
			}
			return
		}
		msg := err.Error()
		if strings.Contains(msg, fuzzToken) {
			t.Fatalf("error shows the API token: %q", msg)
		}
		// cmd prints it through the sanitiser, which drops characters:
		// what remains must not join into the token either.
		if strings.Contains(termtext.OneLine(msg), fuzzToken) {
			t.Fatalf("error shows the API token once printed: %q", msg)
		}
		var apiErr *APIError
		switch {
		case errors.As(err, &apiErr):
			for k, v := range apiErr.Fields {
				if strings.Contains(k+" "+v, fuzzToken) {
					t.Fatalf("APIError field shows the API token: %q: %q", k, v)
				}
			}
			if strings.Contains(apiErr.Message+apiErr.ExceptionID, fuzzToken) {
				t.Fatalf("APIError shows the API token: %+v", apiErr)
			}
		case errors.Is(err, ErrNotRhodeCode):
		case strings.Contains(msg, "unexpected result of get_user"):
		default:
			t.Fatalf("unclassified error %v", err)
		}
	})
}
