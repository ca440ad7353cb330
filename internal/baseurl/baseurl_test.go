package baseurl

import (
	"errors"
	"net/url"
	"strings"
	"testing"
)

func TestNormalize(t *testing.T) {
	for _, tc := range []struct {
		in, want, wantErr string
	}{
		{in: "https://code.example.com", want: "https://code.example.com"},
		{in: "https://code.example.com/", want: "https://code.example.com"},
		{in: "https://code.example.com//", want: "https://code.example.com"},
		{in: "  code.example.com  ", want: "https://code.example.com"},
		{in: "http://10.0.0.5/code/_admin/api", want: "http://10.0.0.5/code"},
		{in: "https://code.example.com/_admin/api/", want: "https://code.example.com"},
		{in: "HTTPS://Code.Example.COM:8443/RC/", want: "https://code.example.com:8443/RC"},
		{in: "https://code.example.com:443", want: "https://code.example.com:443"}, // kept: config files hold it so
		{in: "http://code.example.com:80/", want: "http://code.example.com:80"},
		{in: "https://example.com/rhodecode/", want: "https://example.com/rhodecode"},
		{in: "https://code.example.com/x?q=1#frag", want: "https://code.example.com/x"},
		{in: "https://h/a%2Fb", want: "https://h/a/b"}, // re-encoded, as keyring names have always been
		{in: "", wantErr: "empty URL"},
		{in: "   ", wantErr: "empty URL"},
		{in: "ftp://code.example.com", wantErr: `URL must start with http:// or https://, got "ftp://code.example.com"`},
		{in: "https://", wantErr: `URL has no host: "https://"`},
		{in: "https://bob:hunter2@code.example.com", wantErr: "URL must not contain a user name or password"},
		{in: "https://alice:hunter2pw@h:99x/", wantErr: `not a URL: "https://[REDACTED]@h:99x/"`},
		{in: "ftp://bob:hunter2pw@host", wantErr: `URL must start with http:// or https://, got "ftp://[REDACTED]@host"`},
	} {
		got, err := Normalize(tc.in)
		switch {
		case tc.wantErr != "":
			if err == nil || err.Error() != tc.wantErr {
				t.Errorf("Normalize(%q) = %q, %v; want error %q", tc.in, got, err, tc.wantErr)
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Errorf("Normalize(%q): error %T is not *Error", tc.in, err)
			}
		case err != nil || got != tc.want:
			t.Errorf("Normalize(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
		if err != nil && strings.Contains(err.Error(), "hunter2") {
			t.Errorf("Normalize(%q) error shows the password: %v", tc.in, err)
		}
	}
}

func TestParseExact(t *testing.T) {
	for _, tc := range []struct {
		in, want string
		problem  Problem
	}{
		{in: "https://code.example.com", want: "https://code.example.com"},
		{in: " HTTPS://Code.Example.com:8443/rc// ", want: "https://code.example.com:8443/rc"},
		{in: "http://10.0.0.5/code/_admin/api", want: "http://10.0.0.5/code"},
		{in: "https://h/a%2Fb/", want: "https://h/a%2Fb"}, // the escaping given is kept
		{in: "", problem: Empty},
		{in: "code.example.com", problem: NoScheme},
		{in: "ftp://code.example.com", problem: BadScheme},
		{in: "https://", problem: NoHost},
		{in: "https://:8443", problem: NoHost},
		{in: "https://bob:hunter2@code.example.com", problem: HasUserinfo},
		{in: "https://code.example.com/?x=1", problem: HasQuery},
		{in: "https://code.example.com/#top", problem: HasQuery},
		{in: "https://h:99x/", problem: Malformed},
	} {
		u, err := ParseExact(tc.in)
		var e *Error
		switch {
		case tc.problem != 0:
			if !errors.As(err, &e) || e.Problem != tc.problem {
				t.Errorf("ParseExact(%q) error %v, want problem %d", tc.in, err, tc.problem)
			}
		case err != nil || u.String() != tc.want:
			t.Errorf("ParseExact(%q) = %v, %v; want %q", tc.in, u, err, tc.want)
		}
	}
}

func TestSame(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want bool
	}{
		{"https://code.example.com/", "code.example.com", true},
		{"https://Code.Example.com/_admin/api", "https://code.example.com", true},
		{"https://code.example.com/a", "https://code.example.com/b", false},
		{"http://code.example.com", "https://code.example.com", false},
		{"https://code.example.com:443", "https://code.example.com", false}, // spelled differently in config files
		{"ftp://x", "ftp://x", false},
	} {
		if got := Same(tc.a, tc.b); got != tc.want {
			t.Errorf("Same(%q, %q) = %v, want %v", tc.a, tc.b, got, tc.want)
		}
	}
}

func TestKeyringService(t *testing.T) {
	for in, want := range map[string]string{
		// The names existing users' secrets are stored under.
		"https://code.example.com":            "rhodecode:https://code.example.com",
		"https://code.example.com/":           "rhodecode:https://code.example.com",
		"https://code.example.com//":          "rhodecode:https://code.example.com",
		"https://example.com/rhodecode/":      "rhodecode:https://example.com/rhodecode",
		"http://127.0.0.1:8080":               "rhodecode:http://127.0.0.1:8080",
		"https://Code.Example.com/_admin/api": "rhodecode:https://code.example.com",
		"code.example.com":                    "rhodecode:https://code.example.com",
		// Not a URL: used as given, so its entry stays reachable.
		"ftp://x/": "rhodecode:ftp://x",
	} {
		if got := KeyringService(in); got != want {
			t.Errorf("KeyringService(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSameServer(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want bool
	}{
		{"https://code.example.com/x", "https://CODE.example.com", true},
		{"https://code.example.com:443/", "https://code.example.com", true},
		{"http://code.example.com:80/", "http://code.example.com", true},
		// A TLS-terminating proxy: RhodeCode redirects to http:// for https://.
		{"http://code.example.com/_admin/login", "https://code.example.com", true},
		{"http://code.example.com:443/", "https://code.example.com", false},
		{"https://code.example.com:8443/", "https://code.example.com", false},
		{"https://code.example.com:8443/", "https://code.example.com:8443/rc", true},
		{"https://evil.example.com/", "https://code.example.com", false},
	} {
		a, _ := url.Parse(tc.a)
		b, _ := url.Parse(tc.b)
		if got := SameServer(a, b); got != tc.want {
			t.Errorf("SameServer(%q, %q) = %v, want %v", tc.a, tc.b, got, tc.want)
		}
	}
}

func TestServes(t *testing.T) {
	for _, tc := range []struct {
		base, scheme, host, path string
		want                     bool
	}{
		{"https://code.example.com", "https", "code.example.com", "", true},
		{"https://code.example.com", "https", "Code.Example.com:443", "repo.git", true},
		{"http://code.example.com", "http", "code.example.com:80", "", true},
		{"https://code.example.com", "http", "code.example.com", "", false},
		{"https://code.example.com", "https", "code.example.com:8443", "", false},
		{"https://code.example.com:443", "https", "code.example.com", "", true},
		{"https://example.com/rc", "https", "example.com", "rc/group/repo", true},
		{"https://example.com/rc", "https", "example.com", "/rc/", true},
		{"https://example.com/rc", "https", "example.com", "rcx/repo", false},
		{"https://example.com/rc", "https", "example.com", "", true}, // git sent no path
		{"https://example.com/rc/", "https", "example.com", "rc", true},
		{"%zz", "https", "example.com", "", false},
	} {
		if got := Serves(tc.base, tc.scheme, tc.host, tc.path); got != tc.want {
			t.Errorf("Serves(%q, %q, %q, %q) = %v, want %v", tc.base, tc.scheme, tc.host, tc.path, got, tc.want)
		}
	}
}

func TestSameHost(t *testing.T) {
	for _, tc := range []struct {
		base, scheme, host string
		want               bool
	}{
		{"https://example.com/a", "https", "example.com", true},
		{"https://example.com:443/b", "https", "EXAMPLE.com", true},
		{"https://example.com/a", "https", "example.com:443", true},
		{"https://example.com/a", "http", "example.com", false},
		{"http://example.com:8080", "http", "example.com", false},
	} {
		if got := SameHost(tc.base, tc.scheme, tc.host); got != tc.want {
			t.Errorf("SameHost(%q, %q, %q) = %v, want %v", tc.base, tc.scheme, tc.host, got, tc.want)
		}
	}
}

func TestPaths(t *testing.T) {
	for _, tc := range []struct {
		base, path string
		has        bool
	}{
		{"https://example.com", "", false},
		{"https://example.com/", "", false},
		{"https://example.com/rc/", "/rc", true},
		{"https://example.com/a/b", "/a/b", true},
		{"%zz", "", false},
	} {
		if got := Path(tc.base); got != tc.path {
			t.Errorf("Path(%q) = %q, want %q", tc.base, got, tc.path)
		}
		if got := HasPath(tc.base); got != tc.has {
			t.Errorf("HasPath(%q) = %v, want %v", tc.base, got, tc.has)
		}
	}
}
