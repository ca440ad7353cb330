package client

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/rhodecode-cli/rhodecode/internal/svnauth"
)

// svnAnswer is a stand-in for RhodeCode's svn middleware: it checks that
// the request is svn's first one (OPTIONS, DAV header, body with a
// Content-Length) and answers 401 without credentials, 200 with alice's.
func svnAnswer(t *testing.T, redirect bool) *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if r.Method != "OPTIONS" || !strings.Contains(r.Header.Get("DAV"), "subversion") ||
			r.ContentLength != int64(len(body)) || !bytes.Contains(body, []byte("activity-collection-set")) {
			t.Errorf("not svn's request: %s %v %d %q", r.Method, r.Header, r.ContentLength, body)
		}
		switch user, pw, ok := r.BasicAuth(); {
		case redirect:
			http.Redirect(w, r, "http://elsewhere.example/x", http.StatusFound)
		case r.URL.Path != "/code/team/svn":
			w.WriteHeader(http.StatusNotFound)
		case !ok:
			w.Header().Set("WWW-Authenticate", `Basic realm="RhodeCode"`)
			w.WriteHeader(http.StatusUnauthorized)
		case user == "alice" && pw == "s3cret-vcs":
			w.WriteHeader(http.StatusOK)
		default:
			w.Header().Set("WWW-Authenticate", `Basic realm="RhodeCode"`)
			w.WriteHeader(http.StatusUnauthorized)
		}
	}))
}

func TestSVNRealmAndProbe(t *testing.T) {
	srv := svnAnswer(t, false)
	defer srv.Close()
	var trace bytes.Buffer
	c := newClient(t, srv.URL+"/code", "", Options{Debug: &trace})
	ctx := context.Background()

	realm, err := c.SVNRealm(ctx, "team/svn")
	if want := "<" + srv.URL + "> RhodeCode"; err != nil || realm != want {
		t.Errorf("SVNRealm = %q, %v; want %q", realm, err, want)
	}
	if _, err := c.SVNRealm(ctx, "team/git"); !errors.Is(err, svnauth.ErrNotFound) {
		t.Errorf("SVNRealm of a non-svn path: %v", err)
	}
	p, err := c.ProbeSVN(ctx, "team/svn", "alice", "s3cret-vcs")
	if err != nil || p.Status != 200 {
		t.Errorf("ProbeSVN = %+v, %v", p, err)
	}
	p, err = c.ProbeSVN(ctx, "team/svn", "alice", "wrong-one")
	if err != nil || p.Status != 401 || p.Realm != "RhodeCode" {
		t.Errorf("ProbeSVN with a wrong token = %+v, %v", p, err)
	}
	if !strings.Contains(trace.String(), "> OPTIONS ") || strings.Contains(trace.String(), "s3cret-vcs") ||
		strings.Contains(trace.String(), "wrong-one") ||
		strings.Contains(trace.String(), base64.StdEncoding.EncodeToString([]byte("alice:s3cret-vcs"))) {
		t.Errorf("trace:\n%s", trace.String())
	}
}

func TestSVNRealmRedirectNotFollowed(t *testing.T) {
	srv := svnAnswer(t, true)
	defer srv.Close()
	_, err := newClient(t, srv.URL, "", Options{}).SVNRealm(context.Background(), "team/svn")
	if err == nil || !strings.Contains(err.Error(), "redirects") || !strings.Contains(err.Error(), "elsewhere.example") {
		t.Errorf("SVNRealm on a redirect: %v", err)
	}
}
