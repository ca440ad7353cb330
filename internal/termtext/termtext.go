// Package termtext makes text from elsewhere (a server, a D-Bus daemon, a
// file) safe to print for a person: no control characters that could move
// the cursor or recolour the terminal, no invisible characters that could
// reorder or hide what is shown, and one line where one line is expected.
// It is the one sanitiser; --json output escapes instead.
package termtext

import (
	"fmt"
	"io"
	"strings"
)

// Sanitize drops control characters (C0 but tab, DEL, C1), bidirectional
// controls and invisible format characters. Line breaks become spaces, so
// the text stays on its line. Letters of every script, combining marks,
// and emoji sequences (zero-width joiner, variation selectors, the tags
// of subdivision flags) are kept.
func Sanitize(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	inFlag := false // after U+1F3F4 or a tag kept after it
	for _, r := range s {
		isTag := r >= 0xE0020 && r <= 0xE007F
		switch {
		case isTag && inFlag:
			// A subdivision flag (🏴 + tag letters + cancel tag); tags
			// anywhere else carry hidden text.
		case r == '\n' || r == '\r' || r == 0x85 || r == 0x2028 || r == 0x2029:
			r = ' '
		case dropped(r):
			continue
		}
		inFlag = r == 0x1F3F4 || isTag && inFlag
		// Invalid UTF-8 arrives as utf8.RuneError and leaves as U+FFFD,
		// never as the raw bytes.
		b.WriteRune(r)
	}
	return b.String()
}

// Control reports whether r is a character Sanitize removes (outside a
// flag's tag sequence): a control, a bidi control or an invisible format
// character. Output that must keep such text whole, like --json, escapes
// these instead.
func Control(r rune) bool { return dropped(r) }

// dropped reports the characters Sanitize removes.
func dropped(r rune) bool {
	switch {
	case r < 0x20:
		return r != '\t'
	case r == 0x7f, r >= 0x80 && r <= 0x9f: // DEL, C1 (CSI is 0x9b)
		return true
	case r == 0x061C, r == 0x200E, r == 0x200F, // ALM, LRM, RLM
		r >= 0x202A && r <= 0x202E, // LRE, RLE, PDF, LRO, RLO
		r >= 0x2066 && r <= 0x2069: // LRI, RLI, FSI, PDI
		// Bidirectional controls reorder the rest of the line (Trojan
		// Source): "adminU+202Etxt.exe" reads as "adminexe.txt".
		return true
	case r == 0x00AD, r == 0x180E, r == 0x200B, // soft hyphen, MVS, ZWSP
		r >= 0x2060 && r <= 0x2064,   // word joiner, invisible operators
		r >= 0x206A && r <= 0x206F,   // deprecated format characters
		r == 0xFEFF,                  // zero-width no-break space, BOM
		r >= 0xFFF9 && r <= 0xFFFB,   // interlinear annotation
		r >= 0xE0000 && r <= 0xE007F: // tags outside a flag
		// Invisible: they make two different names look alike or hide
		// text. ZWJ and ZWNJ stay: emoji and several scripts need them.
		return true
	}
	return false
}

// OneLine sanitises s and collapses its runs of white space, for error
// messages that must stay on one line.
func OneLine(s string) string {
	return strings.Join(strings.Fields(Sanitize(s)), " ")
}

// Styled is text of the program's own, such as an icon with its colour
// codes: Fprintf prints it as it is.
type Styled string

// Fprintf is fmt.Fprintf for a line a person reads. The format is the
// caller's; the arguments are not: user names, repository names, token
// descriptions and roles come from a server, errors quote it. Every
// string argument goes through Sanitize and every error through OneLine,
// so none of them can move the cursor, retitle the terminal or break the
// line; a Styled argument is the program's and keeps its colour.
func Fprintf(w io.Writer, format string, a ...any) {
	for i, v := range a {
		switch v := v.(type) {
		case string:
			a[i] = Sanitize(v)
		case error:
			a[i] = OneLine(v.Error())
		}
	}
	fmt.Fprintf(w, format, a...)
}
