package secret

import "testing"

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
