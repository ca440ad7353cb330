package rhoderc

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
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

func TestEffectiveStorage(t *testing.T) {
	tests := []struct {
		in   Instance
		d    Dialect
		want string
	}{
		{Instance{Token: "t"}, DialectINI, StorageFile},
		{Instance{}, DialectINI, StorageKeyring},
		{Instance{Token: "t"}, DialectTOML, StorageKeyring},
		{Instance{Storage: StorageFile}, DialectTOML, StorageFile},
		{Instance{Storage: StorageKeyring, Token: "t"}, DialectINI, StorageKeyring},
	}
	for _, tc := range tests {
		if got := tc.in.EffectiveStorage(tc.d); got != tc.want {
			t.Errorf("%+v in %s: %q, want %q", tc.in, tc.d, got, tc.want)
		}
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
