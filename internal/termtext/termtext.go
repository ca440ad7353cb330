// Package termtext makes text from elsewhere (a server, a D-Bus daemon, a
// file) safe to print for a person: no control characters that could move
// the cursor or recolour the terminal, and one line where one line is
// expected. It is the one sanitiser; --json output escapes instead.
package termtext

import "strings"

// Sanitize drops control characters (C0 but tab, DEL, C1). Line breaks
// become spaces, so the text stays on its line.
func Sanitize(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '\t' || r >= 0x20 && r != 0x7f && (r < 0x80 || r > 0x9f) {
			return r
		}
		if r == '\n' || r == '\r' {
			return ' '
		}
		return -1
	}, s)
}

// OneLine sanitises s and collapses its runs of white space, for error
// messages that must stay on one line.
func OneLine(s string) string {
	return strings.Join(strings.Fields(Sanitize(s)), " ")
}
