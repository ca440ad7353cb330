package termtext

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzSanitize: whatever a server sends, what Sanitize returns is valid
// UTF-8 without a character that could steer a terminal (C0 but tab, DEL,
// C1, so no ESC and no CSI) or reorder or hide text (bidi controls,
// invisible format characters), stays on one line, and is a fixed point.
// OneLine adds: no tab, no runs of white space, no space at either end.
func FuzzSanitize(f *testing.F) {
	f.Fuzz(func(t *testing.T, s string) {
		out := Sanitize(s)
		if !utf8.ValidString(out) {
			t.Fatalf("Sanitize(%+q) = %+q: not valid UTF-8", s, out)
		}
		for _, r := range out {
			if r != '\t' && (r < 0x20 || r >= 0x7f && r <= 0x9f) || dropped(r) && !isFlagTag(r) ||
				r == 0x2028 || r == 0x2029 {
				t.Fatalf("Sanitize(%+q) = %+q: keeps %U", s, out, r)
			}
		}
		if again := Sanitize(out); again != out {
			t.Fatalf("Sanitize is not idempotent: %+q -> %+q -> %+q", s, out, again)
		}
		// Only tags right after a black flag (or another kept tag) stay.
		prev := rune(0)
		for _, r := range out {
			if isFlagTag(r) && prev != 0x1F3F4 && !isFlagTag(prev) {
				t.Fatalf("Sanitize(%+q) = %+q: keeps tag %U outside a flag", s, out, r)
			}
			prev = r
		}

		one := OneLine(s)
		if strings.ContainsAny(one, "\t\n\r") || strings.Contains(one, "  ") ||
			strings.TrimSpace(one) != one {
			t.Fatalf("OneLine(%+q) = %+q: not one clean line", s, one)
		}
		if again := OneLine(one); again != one {
			t.Fatalf("OneLine is not idempotent: %+q -> %+q -> %+q", s, one, again)
		}
	})
}

func isFlagTag(r rune) bool { return r >= 0xE0020 && r <= 0xE007F }
