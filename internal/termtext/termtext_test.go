package termtext

import "testing"

func TestSanitize(t *testing.T) {
	for in, want := range map[string]string{
		"plain":                 "plain",
		"a\tb":                  "a\tb",
		"two\nlines\r\n":        "two lines  ",
		"\x1b[2Jclear":          "[2Jclear",
		"bell\x07 del\x7f":      "bell del",
		"c1\u009b31m":           "c131m",
		"ünïcödé ✓":             "ünïcödé ✓",
		"\x1b]0;title\x07after": "]0;titleafter",
	} {
		if got := Sanitize(in); got != want {
			t.Errorf("Sanitize(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestOneLine(t *testing.T) {
	if got := OneLine("  a\n\tb \x1b c  "); got != "a b c" {
		t.Errorf("OneLine = %q", got)
	}
}
