package rhoderc

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

func TestPermissions(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Unix permissions")
	}
	const secret = "s3cr3t-value"
	tests := []struct {
		name, content string
		mode          os.FileMode
		want          bool
	}{
		{"toml token 0644", "[instances.x]\nurl = \"u\"\ntoken = \"" + secret + "\"\n", 0o644, true},
		{"toml vcs_token 0640", "[instances.x]\nurl = \"u\"\nvcs_token = \"" + secret + "\"\n", 0o640, true},
		{"toml session_cookie 0604", "[instances.x]\nurl = \"u\"\nsession_cookie = \"" + secret + "\"\n", 0o604, true},
		{"toml token 0620", "[instances.x]\nurl = \"u\"\ntoken = \"" + secret + "\"\n", 0o620, true},
		{"ini api_key 0644", "[instance:x]\napi_host = u\napi_key = " + secret + "\n", 0o644, true},
		{"second instance 0644", "[instances.a]\nurl = \"u\"\n[instances.b]\nurl = \"v\"\ntoken = \"" + secret + "\"\n", 0o644, true},
		{"token 0600", "[instances.x]\nurl = \"u\"\ntoken = \"" + secret + "\"\n", 0o600, false},
		{"token 0400", "[instances.x]\nurl = \"u\"\ntoken = \"" + secret + "\"\n", 0o400, false},
		{"no secret 0644", "[instances.x]\nurl = \"u\"\nstorage = \"keyring\"\nusername = \"alice\"\n", 0o644, false},
		{"ini no key 0644", "[instance:x]\napi_host = u\n", 0o644, false},
		{"empty 0666", "", 0o666, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "my dir")
			if err := os.Mkdir(dir, 0o700); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(dir, ".rhoderc")
			if err := os.WriteFile(path, []byte(tc.content), tc.mode); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(path, tc.mode); err != nil {
				t.Fatal(err)
			}
			// Through a symlink it is the target's mode that counts.
			link := filepath.Join(dir, "link")
			if err := os.Symlink(".rhoderc", link); err != nil {
				t.Fatal(err)
			}
			for _, p := range []string{path, link} {
				f, err := Load(p)
				if err != nil {
					t.Fatal(err)
				}
				err = f.Permissions()
				var pe *PermissionError
				if got := errors.As(err, &pe); got != tc.want {
					t.Fatalf("%s: Permissions() = %v, want an error: %v", p, err, tc.want)
				}
				if !tc.want {
					continue
				}
				if pe.Path != p || pe.Mode != tc.mode {
					t.Errorf("error = %+v, want path %s mode %v", pe, p, tc.mode)
				}
				msg := err.Error()
				if !strings.Contains(msg, p) || !strings.HasSuffix(msg, "chmod 600 '"+p+"'") ||
					!strings.Contains(msg, "mode "+octal(tc.mode)) || strings.Contains(msg, secret) || strings.Contains(msg, "\n") {
					t.Errorf("message = %q", msg)
				}
			}
			// Update makes the file private, so the next Load is clean.
			if err := Update(t.Context(), path, func(*File) error { return nil }); err != nil {
				t.Fatal(err)
			}
			f, err := Load(path)
			if err != nil {
				t.Fatal(err)
			}
			if err := f.Permissions(); err != nil {
				t.Errorf("after Update: %v", err)
			}
		})
	}
	// A File that was not read from disk has no mode to report.
	f, err := Parse("x", []byte("[instances.x]\nurl = \"u\"\ntoken = \""+secret+"\"\n"))
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Permissions(); err != nil {
		t.Errorf("parsed file: %v", err)
	}
}

func octal(m os.FileMode) string { return fmt.Sprintf("%04o", m.Perm()) }

func TestShellQuote(t *testing.T) {
	for in, want := range map[string]string{
		"/home/alice/.rhoderc": "/home/alice/.rhoderc",
		"/home/a b/.rhoderc":   "'/home/a b/.rhoderc'",
		"/tmp/it's":            `'/tmp/it'\''s'`,
		"-rc":                  "./-rc",
		"~/x":                  "'~/x'",
		"":                     "''",
	} {
		if got := shellQuote(in); got != want {
			t.Errorf("shellQuote(%q) = %q, want %q", in, got, want)
		}
	}
}
