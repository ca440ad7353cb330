package svnauth

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestParseChallenge(t *testing.T) {
	for _, tc := range []struct {
		values []string
		want   string
		ok     bool
	}{
		{[]string{`Basic realm="RhodeCode"`}, "RhodeCode", true},
		{[]string{`basic realm="RhodeCode AUTH"`}, "RhodeCode AUTH", true},
		{[]string{`Basic REALM=RhodeCode`}, "RhodeCode", true},
		// serf takes everything after "=" and one pair of quotes.
		{[]string{`Basic realm="Code "Review""`}, `Code "Review"`, true},
		{[]string{`Basic realm="x", charset="UTF-8"`}, `x", charset="UTF-8`, true},
		{[]string{`Basic realm=""`}, "", true},
		{[]string{`Negotiate`, `Basic realm="A"`}, "A", true},
		{[]string{`Basic realm="A"`, `Basic realm="B"`}, "B", true},
		{[]string{`Digest realm="A", nonce="n"`}, "", false},
		{[]string{`Basic charset="UTF-8", realm="A"`}, "", false},
		{[]string{`Basic`}, "", false},
		{nil, "", false},
	} {
		got, ok := ParseChallenge(tc.values)
		if got != tc.want || ok != tc.ok {
			t.Errorf("ParseChallenge(%q) = %q, %v; want %q, %v", tc.values, got, ok, tc.want, tc.ok)
		}
	}
}

func TestRealmString(t *testing.T) {
	for _, tc := range []struct{ url, want string }{
		{"https://code.example.com/repo", "<https://code.example.com:443> RhodeCode"},
		{"http://code.example.com/repo", "<http://code.example.com:80> RhodeCode"},
		{"HTTPS://Code.Example.COM:8443/group/repo", "<https://code.example.com:8443> RhodeCode"},
		{"https://alice@code.example.com/x", "<https://code.example.com:443> RhodeCode"},
		{"http://127.0.0.1:8080/code/repo", "<http://127.0.0.1:8080> RhodeCode"},
		{"http://[::1]:8080/repo", "<http://::1:8080> RhodeCode"},
	} {
		got, err := RealmString(tc.url, "RhodeCode")
		if err != nil || got != tc.want {
			t.Errorf("RealmString(%q) = %q, %v; want %q", tc.url, got, err, tc.want)
		}
	}
	for _, bad := range []string{"svn://host/repo", "file:///repo", "https:///repo", "http://host:0/", "http://h:99999/", "://"} {
		if got, err := RealmString(bad, "R"); err == nil {
			t.Errorf("RealmString(%q) = %q, want an error", bad, got)
		}
	}
	_, err := RealmString("https://bob:hunter2@host:x/", "R")
	if err == nil || strings.Contains(err.Error(), "hunter2") {
		t.Errorf("error for a URL with a password: %v", err)
	}
}

func TestProbeAnswers(t *testing.T) {
	var status int
	var header http.Header
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != "OPTIONS" || !strings.Contains(r.Header.Get("DAV"), "subversion") || r.Header.Get("Authorization") != "" {
			t.Errorf("probe request: %s %v", r.Method, r.Header)
		}
		for k, v := range header {
			w.Header()[k] = v
		}
		w.WriteHeader(status)
	}))
	defer ts.Close()
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

	for _, tc := range []struct {
		name   string
		status int
		header http.Header
		want   string
		err    error
	}{
		{"RhodeCode", 401, http.Header{"Www-Authenticate": {`Basic realm="RhodeCode"`}}, "<http://" + ts.Listener.Addr().String() + "> RhodeCode", nil},
		{"anonymous access", 200, nil, "", ErrNoChallenge},
		{"not found", 404, nil, "", ErrNotFound},
		{"proxy off", 406, nil, "", ErrProxyDisabled},
		{"redirect", 302, http.Header{"Location": {"https://u:secret@elsewhere/login"}}, "", nil},
		{"no Basic", 401, http.Header{"Www-Authenticate": {`Negotiate`}}, "", nil},
		{"server error", 500, nil, "", nil},
	} {
		status, header = tc.status, tc.header
		got, err := Probe(context.Background(), client, ts.URL+"/repo")
		switch {
		case tc.want != "":
			if err != nil || got != tc.want {
				t.Errorf("%s: %q, %v; want %q", tc.name, got, err, tc.want)
			}
		case tc.err != nil:
			if !errors.Is(err, tc.err) {
				t.Errorf("%s: %q, %v; want %v", tc.name, got, err, tc.err)
			}
		default:
			if err == nil || strings.Contains(err.Error(), "secret") {
				t.Errorf("%s: %q, %v; want an error without the password", tc.name, got, err)
			}
		}
	}
}
