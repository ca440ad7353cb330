package rhoderc

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

func TestDetectDialect(t *testing.T) {
	tests := []struct {
		name, in string
		want     Dialect
	}{
		{"empty", "", DialectTOML},
		{"comment only", "# nothing yet\n", DialectTOML},
		{"toml", "default = \"w\"\n[instances.w]\nurl = \"u\"\n", DialectTOML},
		{"ini", "[instance:w]\napi_host = u\n", DialectINI},
		{"ini indented header", "# c\n   [instance:w]\napi_host = u\n", DialectINI},
		{"ini after other section", "[other]\nx = 1\n\n[instance:w]\n", DialectINI},
		{"ini crlf and bom", "\ufeff[instance:w]\r\napi_host = u\r\n", DialectINI},
		{"instance: not at line start", "note = \"[instance:w]\"\n", DialectTOML},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := DetectDialect([]byte(tc.in)); got != tc.want {
				t.Errorf("DetectDialect = %q, want %q", got, tc.want)
			}
			f, err := Parse("p", []byte(tc.in))
			if err != nil {
				t.Fatal(err)
			}
			if f.Dialect() != tc.want {
				t.Errorf("Parse dialect = %q, want %q", f.Dialect(), tc.want)
			}
		})
	}
}

func TestLoadMissingAndUnreadable(t *testing.T) {
	dir := t.TempDir()
	f, err := Load(filepath.Join(dir, "missing"))
	if err != nil {
		t.Fatal(err)
	}
	if f.Dialect() != DialectTOML || len(f.Instances()) != 0 || f.DefaultInstance() != "" {
		t.Errorf("missing file: %+v", f)
	}
	if got := mustBytes(t, f); got != "" {
		t.Errorf("Bytes() = %q", got)
	}

	if runtime.GOOS == "windows" || os.Getuid() == 0 {
		t.Skip("permission bits do not stop this user from reading")
	}
	p := filepath.Join(dir, "unreadable")
	if err := os.WriteFile(p, []byte("x"), 0o000); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(p); !errors.Is(err, fs.ErrPermission) {
		t.Errorf("err = %v, want fs.ErrPermission", err)
	}
}

func TestDefaultPath(t *testing.T) {
	tests := []struct {
		name, env, want string
	}{
		{"env", "/etc/rc", "/etc/rc"},
		{"home", "", filepath.Join("/home/u", ".rhoderc")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			getenv := func(k string) string {
				if k == "RHODERC" {
					return tc.env
				}
				return ""
			}
			if got := DefaultPath(getenv, "/home/u"); got != tc.want {
				t.Errorf("DefaultPath = %q, want %q", got, tc.want)
			}
		})
	}
}

// TestEffectiveStorage pins the one storage rule. It used to exist twice,
// and the copies disagreed about a TOML entry with a token and no storage:
// the token in the file is the one to use, in either dialect.
func TestEffectiveStorage(t *testing.T) {
	tests := []struct {
		name string
		file string
		want string
	}{
		{"INI token, no storage", "[instance:x]\napi_host = https://h\napi_key = t\n", StorageFile},
		{"INI no token", "[instance:x]\napi_host = https://h\n", StorageKeyring},
		{"TOML token, no storage", "[instances.x]\nurl = \"https://h\"\ntoken = \"t\"\n", StorageFile},
		{"TOML no token", "[instances.x]\nurl = \"https://h\"\n", StorageKeyring},
		{"TOML storage file", "[instances.x]\nurl = \"https://h\"\nstorage = \"file\"\n", StorageFile},
		{"INI storage keyring beats a token", "[instance:x]\napi_host = https://h\napi_key = t\ntoken_storage = keyring\n", StorageKeyring},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f, err := Parse("rc", []byte(tc.file))
			if err != nil {
				t.Fatal(err)
			}
			in, ok := f.Instance("x")
			if !ok {
				t.Fatal("no instance x")
			}
			if got := in.EffectiveStorage(); got != tc.want {
				t.Errorf("EffectiveStorage() = %q, want %q", got, tc.want)
			}
		})
	}
}

// TestTypedFields round-trips the per-instance fields the commands keep
// beside the token, in both dialects, as the strings older versions wrote.
func TestTypedFields(t *testing.T) {
	for _, start := range []string{"", "[instance:x]\napi_host = https://h\n"} {
		f, err := Parse("rc", []byte(start))
		if err != nil {
			t.Fatal(err)
		}
		want := Instance{
			Name: "x", URL: "https://h", Username: "alice", Storage: StorageFile, Token: "t",
			TokenID: 7, TokenExpires: 1798761600, SessionCookie: "rhodecode=abc", VCSToken: "v", VCSTokenID: 8,
			VCSTokenExpires: -1, VCSTokenRejected: true,
			SVNRealm: `<https://h:443> Rhode "Code"`, SVNConfigDir: "/home/a/svn conf",
		}
		f.SetInstance(want)
		b, err := f.Bytes()
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range []string{"7", "1798761600", "8", "-1", "true", "rhodecode=abc", "svn_realm", "svn_config_dir"} {
			if !strings.Contains(string(b), s) {
				t.Errorf("%s: %q missing from\n%s", f.Dialect(), s, b)
			}
		}
		f2, err := Parse("rc", b)
		if err != nil {
			t.Fatal(err)
		}
		if got, _ := f2.Instance("x"); got != want {
			t.Errorf("%s: read back %+v, want %+v", f.Dialect(), got, want)
		}
		// Zero values remove their keys.
		cleared := want
		cleared.TokenID, cleared.TokenExpires, cleared.VCSTokenExpires, cleared.VCSTokenRejected, cleared.SessionCookie = 0, 0, 0, false, ""
		cleared.SVNRealm, cleared.SVNConfigDir = "", ""
		f2.SetInstance(cleared)
		for _, k := range []string{KeyTokenID, KeyTokenExpires, KeyVCSTokenExpires, KeyVCSTokenRejected, KeySessionCookie, KeySVNRealm, KeySVNConfigDir} {
			if v, ok := f2.InstanceValue("x", k); ok {
				t.Errorf("%s: %s = %q after clearing", f.Dialect(), k, v)
			}
		}
	}
}

func TestTOMLNonStringValues(t *testing.T) {
	f, err := Parse("rc", []byte("[instances.x]\nurl = \"https://h\"\ntoken_id = 12\nvcs_token_rejected = true\n"))
	if err != nil {
		t.Fatal(err)
	}
	in, _ := f.Instance("x")
	if in.TokenID != 12 || !in.VCSTokenRejected {
		t.Errorf("got %+v", in)
	}
}

func TestParseErrorMessage(t *testing.T) {
	tests := []struct {
		err  *ParseError
		want string
	}{
		{&ParseError{Path: "/h/.rhoderc", Line: 3, Msg: "bad"}, "/h/.rhoderc:3: bad; fix or move the file, it was not changed"},
		{&ParseError{Path: "/h/.rhoderc", Msg: "bad"}, "/h/.rhoderc: bad; fix or move the file, it was not changed"},
	}
	for _, tc := range tests {
		if got := tc.err.Error(); got != tc.want {
			t.Errorf("Error() = %q, want %q", got, tc.want)
		}
	}
}

// TestSetInstanceKeepsHandEdits: writing an entry rewrites a typed key only
// when the value it reads as changes.
func TestSetInstanceKeepsHandEdits(t *testing.T) {
	src := "[instance:x]\napi_host = https://h\ntoken_id = 0012\nvcs_token_expires = -1 ; never\n"
	f, err := Parse("rc", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	in, _ := f.Instance("x")
	in.VCSTokenRejected = true // an unrelated change
	f.SetInstance(in)
	b, err := f.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"token_id = 0012\n", "vcs_token_expires = -1 ; never\n", "vcs_token_rejected = true\n"} {
		if !strings.Contains(string(b), want) {
			t.Errorf("%q missing from\n%s", want, b)
		}
	}
	if strings.Contains(string(b), "cli_added = token_id") {
		t.Errorf("an unchanged key was recorded as ours:\n%s", b)
	}
}

func TestHasVCSTokenAndExpiry(t *testing.T) {
	for _, tt := range []struct {
		in  Instance
		has bool
		exp int64
	}{
		{Instance{}, false, -1},
		{Instance{VCSTokenRejected: true}, false, -1},
		{Instance{VCSToken: "x"}, true, -1},
		{Instance{VCSTokenID: 3}, true, -1},
		{Instance{VCSTokenExpires: 1700000000}, true, 1700000000},
	} {
		if got := tt.in.HasVCSToken(); got != tt.has {
			t.Errorf("%+v.HasVCSToken() = %v", tt.in, got)
		}
		if got := tt.in.VCSTokenExpiry(); got != tt.exp {
			t.Errorf("%+v.VCSTokenExpiry() = %d, want %d", tt.in, got, tt.exp)
		}
	}
}
