package gitcred

import (
	"bufio"
	"bytes"
	"errors"
	"strings"
	"testing"
)

// FuzzReadWrite: what Read accepts, Write writes, and reading that back
// gives the same credential: read -> write -> read is stable. A refused
// input is an ErrProtocol. The one value Read yields that Write refuses is
// one with a carriage return (older git could send "a\r\r\n"), which
// would not read back.
func FuzzReadWrite(f *testing.F) {
	f.Fuzz(func(t *testing.T, in []byte) {
		c, err := Read(bytes.NewReader(in))
		if err != nil {
			if !errors.Is(err, ErrProtocol) {
				t.Fatalf("Read(%q): error %v does not wrap ErrProtocol", in, err)
			}
			return
		}
		var out bytes.Buffer
		err = Write(&out, c)
		if hasCR(c) {
			if !errors.Is(err, ErrProtocol) || out.Len() != 0 {
				t.Fatalf("Write(%+v) with a CR: error %v, wrote %q; want ErrProtocol and nothing", c, err, out.Bytes())
			}
			return
		}
		if err != nil {
			t.Fatalf("Read(%q) = %+v, which Write refuses: %v", in, c, err)
		}
		checkAttributes(t, out.Bytes(), c)
		back, err := Read(bytes.NewReader(out.Bytes()))
		if err != nil {
			t.Fatalf("Read(Write(%+v)) = %v; wrote %q", c, err, out.Bytes())
		}
		if back != normalised(c) {
			t.Fatalf("read -> write -> read changed the credential:\n in  %q\n got %+v\n out %q\n back %+v", in, c, out.Bytes(), back)
		}
	})
}

// FuzzWrite: whatever the values, Write either refuses them (ErrProtocol,
// nothing written) or writes one line per present attribute, in order, that
// Read gives back unchanged. A newline, CR or NUL in a value can never end
// up as an attribute line of its own.
func FuzzWrite(f *testing.F) {
	f.Fuzz(func(t *testing.T, protocol, host, path, username, password string, expiry int64) {
		if expiry < 0 {
			expiry = -expiry // Read never yields a negative expiry
		}
		c := Credential{Protocol: protocol, Host: host, Path: path,
			Username: username, Password: password,
			HasUsername: username != "" || len(protocol)%2 == 0, HasPassword: password != "",
			PasswordExpiryUTC: max(expiry, 0)}
		var out bytes.Buffer
		if err := Write(&out, c); err != nil {
			if !errors.Is(err, ErrProtocol) {
				t.Fatalf("Write(%+v): error %v does not wrap ErrProtocol", c, err)
			}
			if out.Len() != 0 {
				t.Fatalf("Write(%+v) failed but wrote %q", c, out.Bytes())
			}
			for _, v := range []string{protocol, host, path, username, password} {
				if v != "" && strings.Contains(err.Error(), v) && len(v) > 3 {
					t.Fatalf("Write's error %q repeats a value", err)
				}
			}
			return
		}
		checkAttributes(t, out.Bytes(), c)
		back, err := Read(bytes.NewReader(out.Bytes()))
		if err != nil {
			t.Fatalf("Read(Write(%+v)) = %v; wrote %q", c, err, out.Bytes())
		}
		if back != normalised(c) {
			t.Fatalf("Write then Read changed the credential:\n want %+v\n out  %q\n got  %+v", normalised(c), out.Bytes(), back)
		}
	})
}

func hasCR(c Credential) bool {
	return strings.Contains(c.Protocol+c.Host+c.Path+c.Username+c.Password, "\r")
}

// checkAttributes: out has exactly the lines of c's present attributes,
// each once and in Write's order.
func checkAttributes(t *testing.T, out []byte, c Credential) {
	t.Helper()
	var want []string
	for _, kv := range []struct {
		key     string
		present bool
	}{
		{"protocol", c.Protocol != ""}, {"host", c.Host != ""}, {"path", c.Path != ""},
		{"username", c.HasUsername || c.Username != ""}, {"password", c.HasPassword || c.Password != ""},
		{"password_expiry_utc", c.PasswordExpiryUTC != 0},
	} {
		if kv.present {
			want = append(want, kv.key)
		}
	}
	var got []string
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(nil, 2*MaxInputBytes)
	for sc.Scan() {
		k, _, _ := strings.Cut(sc.Text(), "=")
		got = append(got, k)
	}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("Write(%+v) wrote attributes %q, want %q:\n%q", c, got, want, out)
	}
}

// normalised is c as a reader of Write's output sees it: a value written
// is present.
func normalised(c Credential) Credential {
	c.HasUsername = c.HasUsername || c.Username != ""
	c.HasPassword = c.HasPassword || c.Password != ""
	return c
}

// FuzzCredentialsFileLine: a line of the credentials file that parses
// formats to a line that parses to the same entry (parse -> format ->
// parse) unless Store would refuse the entry, and a refused line's error
// never quotes it.
func FuzzCredentialsFileLine(f *testing.F) {
	// The errors' own words (the format hint "[ # expiry <unix>]") are
	// not a quoted line: a line made of them proves nothing.
	_, canned := parseFile("creds", "x")
	f.Fuzz(func(t *testing.T, line string) {
		lines, err := parseFile("creds", line)
		if err != nil {
			if !errors.Is(err, ErrProtocol) {
				t.Fatalf("parseFile(%q): %v does not wrap ErrProtocol", line, err)
			}
			for l := range strings.SplitSeq(line, "\n") {
				if u, _, _ := strings.Cut(l, expirySuffix); len(u) > 8 && strings.Contains(err.Error(), u) && !strings.Contains(canned.Error(), u) {
					t.Fatalf("parseFile's error %q quotes the line %q", err, l)
				}
			}
			return
		}
		for _, l := range lines {
			if l.entry == nil {
				continue
			}
			e := *l.entry
			if e.Host == "" || e.Protocol == "" || e.Expiry < 0 {
				t.Fatalf("parseLine(%q) = %+v: no host or protocol, or a negative expiry", l.raw, e)
			}
			if checkFileValues(e.credential()) != nil {
				continue // Store never writes it
			}
			raw := formatLine(e)
			if strings.ContainsAny(raw, "\n\r\x00") {
				t.Fatalf("formatLine(%+v) = %q: more than one line", e, raw)
			}
			back, err := parseLine(raw)
			if err != nil {
				t.Fatalf("parseLine(formatLine(%+v)) = %v; line %q (read from %q)", e, err, raw, l.raw)
			}
			if back != e {
				t.Fatalf("parse -> format -> parse changed the entry:\n read %q -> %+v\n wrote %q -> %+v", l.raw, e, raw, back)
			}
		}
	})
}

// FuzzCredentialsFileFormat: a credential Store accepts is written as one
// line that reads back as the same entry, so Get finds what was stored.
func FuzzCredentialsFileFormat(f *testing.F) {
	f.Fuzz(func(t *testing.T, protocol, host, path, username, password string, expiry int64) {
		c := Credential{Protocol: protocol, Host: host, Path: path,
			Username: username, Password: password, HasUsername: true, HasPassword: true,
			PasswordExpiryUTC: max(expiry, 0)}
		if !validQuery(c) || checkFileValues(c) != nil {
			return // Store ignores or refuses it
		}
		raw := formatLine(entryOf(c))
		lines, err := parseFile("creds", raw+"\n")
		if err != nil {
			t.Fatalf("Store would write %q for %+v, which does not parse: %v", raw, c, err)
		}
		if len(lines) != 1 || lines[0].entry == nil {
			t.Fatalf("Store would write %q for %+v: %d lines, want one entry", raw, c, len(lines))
		}
		if got := *lines[0].entry; got != entryOf(c) {
			t.Fatalf("stored %+v as %q, which reads back as %+v", entryOf(c), raw, got)
		}
	})
}
