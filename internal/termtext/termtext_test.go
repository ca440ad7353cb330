package termtext

import (
	"errors"
	"strings"
	"testing"
)

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

// TestSanitizeInvisible: bidi controls reorder what a terminal shows
// (Trojan Source) and invisible characters hide or join text, so neither
// may come through; text in any script, and emoji sequences, must.
func TestSanitizeInvisible(t *testing.T) {
	for in, want := range map[string]string{
		"admin\u202Enigol":          "adminnigol",
		"a\u061Cb\u200Ec\u200Fd":    "abcd",
		"\u202A\u202B\u202C\u202Dx": "x",
		"\u2066\u2067\u2068y\u2069": "y",
		"zero\u200Bwidth\uFEFF":     "zerowidth",
		"word\u2060joiner\u2061":    "wordjoiner",
		"soft\u00ADhyphen":          "softhyphen",
		"old\u206Aformat\u206F":     "oldformat",
		"note\uFFF9x\uFFFAy\uFFFB":  "notexy",
		"tag\U000E0041\U000E007F":   "tag",
		"line\u2028para\u2029end":   "line para end",
		"nel\u0085end":              "nel end",
		"bad\xff\x1butf8":           "bad\uFFFDutf8",
		// Kept: accents, CJK, RTL text itself, emoji with ZWJ and
		// variation selectors, ZWNJ in Persian, a subdivision flag.
		"café 日本語 עברית العربية":                                        "café 日本語 עברית العربية",
		"👩\u200D💻 ❤\uFE0F":                                              "👩\u200D💻 ❤\uFE0F",
		"می\u200Cخواهم":                                                 "می\u200Cخواهم",
		"🏴\U000E0067\U000E0062\U000E0073\U000E0063\U000E0074\U000E007F": "🏴\U000E0067\U000E0062\U000E0073\U000E0063\U000E0074\U000E007F",
	} {
		if got := Sanitize(in); got != want {
			t.Errorf("Sanitize(%+q) = %+q, want %+q", in, got, want)
		}
	}
}

func TestOneLine(t *testing.T) {
	if got := OneLine("  a\n\tb \x1b c  "); got != "a b c" {
		t.Errorf("OneLine = %q", got)
	}
}

func TestFprintf(t *testing.T) {
	var b strings.Builder
	Fprintf(&b, "%s|%v|%d|%q\n", "a\x1b]0;x\x07b\nc", errors.New("e\r\n  f"), 7, "\u202eq")
	if want := "a]0;xb c|e f|7|\"q\"\n"; b.String() != want {
		t.Errorf("Fprintf = %q, want %q", b.String(), want)
	}
}

func TestFprintfKeepsStyled(t *testing.T) {
	var b strings.Builder
	Fprintf(&b, "%s %s\n", Styled("\x1b[33m!\x1b[0m"), "srv\x1b[2J")
	if want := "\x1b[33m!\x1b[0m srv[2J\n"; b.String() != want {
		t.Errorf("Fprintf = %q, want %q", b.String(), want)
	}
}
