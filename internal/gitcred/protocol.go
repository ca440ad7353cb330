// Package gitcred speaks git's credential-helper protocol (git-credential(1))
// and keeps the credentials git asks a helper to store, with the matching
// rules of git's own credential-store (builtin/credential-store.c and
// credential_match in credential.c).
//
// Git is the client here: what it sends is trusted to be well-formed but not
// small, so reading is bounded, and no error ever repeats a value, which may
// be a password.
package gitcred

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strconv"
	"strings"
)

// Limits on what Read accepts. Real credentials are a few hundred bytes;
// the caps only stop a runaway or hostile writer from costing memory.
const (
	// MaxLineBytes is the longest line Read accepts, without its line end.
	MaxLineBytes = 64 << 10
	// MaxInputBytes is the most Read consumes in total.
	MaxInputBytes = 1 << 20
)

// ErrProtocol is wrapped by every error Read and Write return for input or
// values that break the protocol (as opposed to I/O errors).
var ErrProtocol = errors.New("invalid credential data")

// Credential is one credential description as exchanged with git.
//
// Username and Password carry Has* flags because git distinguishes a key
// sent with an empty value from a key not sent at all (t0303 "can store empty
// username"). Path, Protocol and Host treat "" as absent.
type Credential struct {
	Protocol, Host, Path, Username, Password string
	HasUsername, HasPassword                 bool
	// PasswordExpiryUTC is password_expiry_utc (Unix seconds, git >= 2.40);
	// 0 means the password does not expire.
	PasswordExpiryUTC int64
}

// URL returns protocol://host/path for messages. It never contains the
// username or password.
func (c Credential) URL() string {
	u := url.URL{Scheme: c.Protocol, Host: c.Host}
	if c.Path != "" {
		u.Path = "/" + c.Path
	}
	return u.String()
}

// Read parses git's key=value lines up to a blank line or EOF. Empty input
// gives an empty Credential and no error: git may send nothing at all.
//
// As in git's credential_read, a later key overrides an earlier one, url=
// replaces everything read before it, and unknown keys (capability[],
// wwwauth[], authtype, state[], ...) are ignored. A line without '=' or with a
// NUL byte, a line over MaxLineBytes and input over MaxInputBytes are errors.
func Read(r io.Reader) (Credential, error) {
	var c Credential
	// LimitedReader bounds what is read at all; the buffer size bounds a line,
	// so junk without newlines costs at most one buffer.
	lr := &io.LimitedReader{R: r, N: MaxInputBytes + 1}
	br := bufio.NewReaderSize(lr, MaxLineBytes+2) // +2 for "\r\n"
	total := 0
	for n := 1; ; n++ {
		line, err := br.ReadSlice('\n')
		total += len(line)
		switch {
		case total > MaxInputBytes:
			return Credential{}, fmt.Errorf("gitcred: credential input is larger than %d bytes: %w", MaxInputBytes, ErrProtocol)
		case errors.Is(err, bufio.ErrBufferFull):
			return Credential{}, protoErr(n, fmt.Sprintf("line is longer than %d bytes", MaxLineBytes))
		case err != nil && err != io.EOF:
			return Credential{}, fmt.Errorf("gitcred: reading credential: %w", err)
		}
		eof := err == io.EOF
		line = bytes.TrimSuffix(line, []byte("\n"))
		line = bytes.TrimSuffix(line, []byte("\r")) // git's strbuf_getline drops CR too
		if len(line) == 0 {
			return c, nil
		}
		if len(line) > MaxLineBytes {
			return Credential{}, protoErr(n, fmt.Sprintf("line is longer than %d bytes", MaxLineBytes))
		}
		if err := c.apply(n, line); err != nil {
			return Credential{}, err
		}
		if eof {
			return c, nil
		}
	}
}

func (c *Credential) apply(n int, line []byte) error {
	k, v, ok := bytes.Cut(line, []byte("="))
	if !ok {
		return protoErr(n, "line has no '='")
	}
	if bytes.IndexByte(line, 0) >= 0 {
		return protoErr(n, "line contains a NUL byte")
	}
	value := string(v)
	switch string(k) {
	case "protocol":
		c.Protocol = value
	case "host":
		c.Host = value
	case "path":
		c.Path = value
	case "username":
		c.Username, c.HasUsername = value, true
	case "password":
		c.Password, c.HasPassword = value, true
	case "password_expiry_utc":
		// git treats 0 and unparsable values as "never expires".
		t, err := strconv.ParseInt(value, 10, 64)
		if err != nil || t < 0 {
			t = 0
		}
		c.PasswordExpiryUTC = t
	case "url":
		u, err := parseURL(value, false)
		if err != nil {
			return protoErr(n, "url: "+err.Error())
		}
		*c = u // git's credential_from_url clears the credential first
	}
	return nil
}

func protoErr(line int, msg string) error {
	return fmt.Errorf("gitcred: credential input line %d: %s: %w", line, msg, ErrProtocol)
}

// Write writes c as key=value lines (protocol, host, path, username,
// password, password_expiry_utc), without a terminating blank line: git
// reads a helper's answer to EOF. Empty Protocol, Host and Path are omitted,
// as are Username and Password unless non-empty or flagged present, and a
// zero PasswordExpiryUTC. If a value contains a newline, carriage return or
// NUL byte, Write returns an error naming the key, not the value, and
// writes nothing: a reader drops a CR before the line end, so the value
// would not read back (found by FuzzWrite), and git itself refuses to write
// one (credential.protectProtocol, git 2.48), since some readers end a line
// at a lone CR.
func Write(w io.Writer, c Credential) error {
	var b strings.Builder
	add := func(key, value string, present bool) error {
		if !present {
			return nil
		}
		if strings.ContainsAny(value, "\n\r\x00") {
			return fmt.Errorf("gitcred: the %s contains a line break or NUL byte: %w", key, ErrProtocol)
		}
		b.WriteString(key)
		b.WriteByte('=')
		b.WriteString(value)
		b.WriteByte('\n')
		return nil
	}
	var expiry string
	if c.PasswordExpiryUTC != 0 {
		expiry = strconv.FormatInt(c.PasswordExpiryUTC, 10)
	}
	for _, kv := range []struct {
		key, value string
		present    bool
	}{
		{"protocol", c.Protocol, c.Protocol != ""},
		{"host", c.Host, c.Host != ""},
		{"path", c.Path, c.Path != ""},
		{"username", c.Username, c.HasUsername || c.Username != ""},
		{"password", c.Password, c.HasPassword || c.Password != ""},
		{"password_expiry_utc", expiry, expiry != ""},
	} {
		if err := add(kv.key, kv.value, kv.present); err != nil {
			return err
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// parseURL splits a URL the way git's credential_from_url_1 does:
// proto://[user[:pass]@]host[/path], where the first '/', '?' or '#' after
// "://" ends the host, leading and trailing slashes are trimmed from the
// path, and components are percent-decoded (git's url_decode: invalid
// escapes and %00 stay literal). stored selects the stricter rules for a line
// of a credentials file: user and password must be present.
func parseURL(s string, stored bool) (Credential, error) {
	var c Credential
	proto, rest, ok := strings.Cut(s, "://")
	if !ok || proto == "" {
		return c, errors.New("no scheme")
	}
	c.Protocol = proto
	end := strings.IndexAny(rest, "/?#")
	if end < 0 {
		end = len(rest)
	}
	hostPart, pathPart := rest[:end], rest[end:]
	if at := strings.IndexByte(hostPart, '@'); at >= 0 {
		userinfo := hostPart[:at]
		hostPart = hostPart[at+1:]
		user, pass, hasPass := strings.Cut(userinfo, ":")
		c.Username, c.HasUsername = gitURLDecode(user), true
		if hasPass {
			c.Password, c.HasPassword = gitURLDecode(pass), true
		}
	}
	c.Host = gitURLDecode(hostPart)
	// Like git: drop leading slashes before decoding, trailing ones after.
	c.Path = gitURLDecode(strings.TrimLeft(pathPart, "/"))
	for len(c.Path) > 1 && strings.HasSuffix(c.Path, "/") {
		c.Path = c.Path[:len(c.Path)-1]
	}
	if stored && (!c.HasUsername || !c.HasPassword) {
		return c, errors.New("no user:password@")
	}
	for _, v := range []string{c.Protocol, c.Host, c.Path, c.Username, c.Password} {
		if strings.ContainsAny(v, "\n\x00") {
			return c, errors.New("a component contains a newline or NUL byte")
		}
	}
	return c, nil
}

// gitURLDecode decodes %XX escapes like git's url_decode_internal: an escape
// that is not two hex digits, or that encodes NUL, is kept as is.
func gitURLDecode(s string) string {
	if !strings.Contains(s, "%") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) {
			hi, ok1 := unhex(s[i+1])
			lo, ok2 := unhex(s[i+2])
			if ok1 && ok2 && hi<<4|lo != 0 {
				b.WriteByte(hi<<4 | lo)
				i += 2
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func unhex(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// gitURLEncode percent-encodes like git's strbuf_add_urlencode (lower-case
// hex); keep reports the bytes left as they are.
func gitURLEncode(s string, keep func(byte) bool) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if keep(s[i]) {
			b.WriteByte(s[i])
		} else {
			fmt.Fprintf(&b, "%%%02x", s[i])
		}
	}
	return b.String()
}

// isUnreserved is RFC 3986 "unreserved", git's is_rfc3986_unreserved.
func isUnreserved(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
		c == '-' || c == '_' || c == '.' || c == '~'
}

// isPathChar is git's is_rfc3986_reserved_or_unreserved minus ':', because
// git's url_decode_mem leaves everything before a path's first ':' undecoded;
// with ':' escaped, git and we read the path back the same way.
func isPathChar(c byte) bool {
	return isUnreserved(c) || strings.IndexByte("!*'();@&=+$,/?#[]", c) >= 0
}
