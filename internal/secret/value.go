package secret

import (
	"fmt"
	"io"
	"strconv"
)

// Value holds a secret (a token, a password, a session cookie) so that it
// cannot be printed by accident: fmt with any verb and flag, Sprint,
// encoding/json and text encoders all show "[REDACTED]". Reveal returns
// the secret, for the few places that send or print it on purpose.
//
// The secret sits behind a function rather than in a string field: fmt
// prints unexported fields of an enclosing struct (%+v of a client or an
// options struct) by reflection, without calling their methods, and would
// show a string field as it is; a function it can only show as an address.
// The zero Value is the empty secret.
type Value struct{ get func() string }

// New wraps s.
func New(s string) Value {
	if s == "" {
		return Value{}
	}
	return Value{get: func() string { return s }}
}

// Reveal returns the secret itself. Call it only to send the secret to
// where it belongs, or to print it where the user asked for it.
func (v Value) Reveal() string {
	if v.get == nil {
		return ""
	}
	return v.get()
}

// IsZero reports whether the secret is empty.
func (v Value) IsZero() bool { return v.get == nil }

// String returns "[REDACTED]".
func (v Value) String() string { return Redacted }

// GoString returns a Go expression naming the type, never the secret.
func (v Value) GoString() string { return "secret.Value(" + strconv.Quote(Redacted) + ")" }

// Format prints "[REDACTED]" for every verb: %s, %v, %+v, %x, %d, … as
// is, %q quoted, %#v as GoString.
func (v Value) Format(f fmt.State, verb rune) {
	s := Redacted
	switch {
	case verb == 'q':
		s = strconv.Quote(Redacted)
	case verb == 'v' && f.Flag('#'):
		s = v.GoString()
	}
	_, _ = io.WriteString(f, s)
}

// MarshalJSON encodes "[REDACTED]".
func (v Value) MarshalJSON() ([]byte, error) { return []byte(strconv.Quote(Redacted)), nil }

// MarshalText returns "[REDACTED]", for encoders (TOML, YAML, map keys in
// JSON) that use encoding.TextMarshaler.
func (v Value) MarshalText() ([]byte, error) { return []byte(Redacted), nil }
