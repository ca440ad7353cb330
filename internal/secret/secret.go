// Package secret is the one place that decides how a secret looks when it
// is shown on purpose: the placeholder that replaces it in traces and
// messages, the masked form of a token in lists, a URL with its
// credentials hidden, and Value, which shows its secret only when asked;
// and what a token secret may look like before it is shown at all. The
// client and the commands both use it, so a token is never shown two
// different ways.
package secret

import (
	"errors"
	"fmt"
	"strings"
)

// Redacted replaces every secret in redacted output.
const Redacted = "[REDACTED]"

// maskedLen is how many leading characters Mask keeps: RhodeCode's own
// token_obfuscated shows four, and users match tokens by them.
const maskedLen = 4

// Mask shows the first four characters of a token and "****", the way
// RhodeCode's token list does ("abcd****"). A token of four characters or
// fewer is shown as "****" only: keeping its characters would print the
// whole secret.
func Mask(s string) string {
	if len(s) <= maskedLen {
		return "****"
	}
	return s[:maskedLen] + "****"
}

// StripUserinfo hides a user name and password in a URL, even one that
// does not parse, so that messages about a bad URL cannot echo a password:
// "https://bob:pw@host/x" becomes "https://[REDACTED]@host/x".
func StripUserinfo(raw string) string {
	scheme, rest, ok := strings.Cut(raw, "://")
	if !ok {
		scheme, rest = "", raw
	}
	end := strings.IndexAny(rest, "/?#")
	if end < 0 {
		end = len(rest)
	}
	at := strings.LastIndex(rest[:end], "@")
	if at < 0 {
		return raw
	}
	if ok {
		scheme += "://"
	}
	return scheme + Redacted + "@" + rest[at+1:]
}

// ErrNotToken means a string given as a token secret cannot be one.
var ErrNotToken = errors.New("not a token")

// Token secrets are 40 lower-case hex characters (SHA-1 hex digests,
// protocol §4.2); the bounds and the alphabet leave room for other
// generators without letting a line break, an escape sequence or a
// separator through.
const (
	minTokenLen = 16
	maxTokenLen = 128
)

// CheckToken returns nil if s can be a token secret: 16 to 128 letters,
// digits, "-" or "_". A secret is printed raw and handed to git, so
// anything else a server sends as one is refused. The error, which wraps
// ErrNotToken, says what is wrong without showing s.
func CheckToken(s string) error {
	bad := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
			bad++
		}
	}
	switch {
	case bad > 0:
		return fmt.Errorf("%w: %d of its %d bytes are not letters, digits, \"-\" or \"_\"", ErrNotToken, bad, len(s))
	case len(s) < minTokenLen || len(s) > maxTokenLen:
		return fmt.Errorf("%w: it has %d characters, not %d to %d", ErrNotToken, len(s), minTokenLen, maxTokenLen)
	}
	return nil
}
