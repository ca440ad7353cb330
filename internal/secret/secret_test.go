package secret

import (
	"errors"
	"strings"
	"testing"
)

func TestMask(t *testing.T) {
	for in, want := range map[string]string{
		"":      "****",
		"a":     "****",
		"abcd":  "****", // the whole secret would show otherwise
		"abcde": "abcd****",
		"ffffeeeeddddccccbbbbaaaa9999888877776666": "ffff****",
	} {
		if got := Mask(in); got != want {
			t.Errorf("Mask(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestStripUserinfo(t *testing.T) {
	for in, want := range map[string]string{
		"https://bob:pw@host/x":         "https://[REDACTED]@host/x",
		"https://bob@host":              "https://[REDACTED]@host",
		"bob:pw@host/x@y":               "[REDACTED]@host/x@y",
		"https://a@b:pw@host:99x/p?q@r": "https://[REDACTED]@host:99x/p?q@r",
		"https://host/p@x":              "https://host/p@x",
		"https://host":                  "https://host",
		"not a url":                     "not a url",
	} {
		if got := StripUserinfo(in); got != want {
			t.Errorf("StripUserinfo(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCheckToken(t *testing.T) {
	for _, ok := range []string{
		"ffffeeeeddddccccbbbbaaaa9999888877776666", // RhodeCode's 40 hex
		"ABCdef_0123-45678",
		strings.Repeat("a", 16),
		strings.Repeat("Z", 128),
	} {
		if err := CheckToken(ok); err != nil {
			t.Errorf("CheckToken(%q) = %v", ok, err)
		}
	}
	for _, bad := range []string{
		"",
		"short",
		strings.Repeat("a", 15),
		strings.Repeat("a", 129),
		"0123456789abcdef\x1b]0;title\x07",
		"0123456789abcdef\nusername=eve",
		"0123456789abcdef 0123",
		"0123456789abcdef\u202E",
		"$2b$10$abcdefghijklmnopqrstuv", // a bcrypt hash is not a usable token
		"0123456789abcdéf0123",
	} {
		err := CheckToken(bad)
		if !errors.Is(err, ErrNotToken) {
			t.Errorf("CheckToken(%+q) = %v, want ErrNotToken", bad, err)
			continue
		}
		if bad != "" && strings.Contains(err.Error(), bad) {
			t.Errorf("CheckToken(%+q) shows the secret: %v", bad, err)
		}
	}
}
