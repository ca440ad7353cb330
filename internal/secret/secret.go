// Package secret is the one place that decides how a secret looks when it
// is shown on purpose: the placeholder that replaces it in traces and
// messages, the masked form of a token in lists, and a URL with its
// credentials hidden. The client and the commands both use it, so a token
// is never shown two different ways.
package secret

import "strings"

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
