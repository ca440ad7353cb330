package rhoderc

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// FuzzRoundTrip: a file that parses renders without error, and what it
// renders parses to the same instances, default and dialect (parse ->
// write -> parse), and renders the same again; an INI file nobody changed
// renders byte for byte as it was read. A file that does not parse gives a
// *ParseError, and Update neither calls its function nor touches the file.
func FuzzRoundTrip(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := Parse("rc", data)
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("Parse: %v is not a *ParseError", err)
			}
			neverRewritten(t, data)
			return
		}
		out, err := file.Bytes()
		if err != nil {
			t.Fatalf("Bytes of an unchanged file: %v", err)
		}
		if file.Dialect() == DialectINI && !bytes.Equal(out, data) {
			t.Fatalf("unchanged INI file rendered differently:\n%q\n%q", data, out)
		}
		again := reparse(t, file, out)
		out2, err := again.Bytes()
		if err != nil || !bytes.Equal(out, out2) {
			t.Fatalf("second render differs (%v):\n%q\n%q", err, out, out2)
		}
	})
}

// FuzzSetInstance: setting an instance (and making it the default) in any
// file that parses either fails in Bytes (a value the dialect cannot hold)
// or renders a file that parses back to exactly that instance, the other
// instances as they were, and the same dialect.
func FuzzSetInstance(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte, name, url, username, token string, id, expires int64, rejected bool) {
		file, err := Parse("rc", data)
		if err != nil {
			return
		}
		others := map[string]Instance{}
		for _, in := range file.Instances() {
			if in.Name != name {
				others[in.Name] = in
			}
		}
		in := Instance{Name: name, URL: url, Username: username, Token: token, Storage: StorageFile,
			TokenID: int(id), VCSTokenExpires: expires, VCSTokenRejected: rejected, SessionCookie: token + "s"}
		file.SetInstance(in)
		file.SetDefault(name)
		out, err := file.Bytes()
		if err != nil {
			return // refused, nothing written
		}
		back := reparse(t, file, out)
		got, ok := back.Instance(name)
		if !ok || got != in {
			t.Fatalf("set %+v, read back %+v (%v) from\n%s", in, got, ok, out)
		}
		if back.DefaultInstance() != name {
			t.Fatalf("default %q, want %q in\n%s", back.DefaultInstance(), name, out)
		}
		for _, o := range back.Instances() {
			if o.Name != name && o != others[o.Name] {
				t.Fatalf("instance %q changed: %+v, was %+v", o.Name, o, others[o.Name])
			}
		}
		if len(back.Instances()) != len(others)+1 {
			t.Fatalf("%d instances, want %d", len(back.Instances()), len(others)+1)
		}
	})
}

// reparse parses what f rendered and checks it reads as f does.
func reparse(t *testing.T, f *File, out []byte) *File {
	t.Helper()
	back, err := Parse("rc", out)
	if err != nil {
		t.Fatalf("what was written does not parse: %v\n%s", err, out)
	}
	if back.Dialect() != f.Dialect() || back.DefaultInstance() != f.DefaultInstance() ||
		!reflect.DeepEqual(back.Instances(), f.Instances()) {
		t.Fatalf("parse -> write -> parse changed the file:\n%s %q %+v\n%s %q %+v\n%s",
			f.Dialect(), f.DefaultInstance(), f.Instances(), back.Dialect(), back.DefaultInstance(), back.Instances(), out)
	}
	return back
}

// neverRewritten: Update on a file with data, which does not parse, fails
// with the *ParseError without calling its function, and leaves the file.
func neverRewritten(t *testing.T, data []byte) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "rc")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	called := false
	err := Update(context.Background(), path, func(f *File) error {
		called = true
		f.SetInstance(Instance{Name: "x", URL: "https://x", Token: "t"})
		return nil
	})
	var pe *ParseError
	if !errors.As(err, &pe) || called {
		t.Fatalf("Update of an unparsable file: err %v, fn called %v", err, called)
	}
	if got, _ := os.ReadFile(path); !bytes.Equal(got, data) {
		t.Fatalf("unparsable file was rewritten:\n%q\n%q", data, got)
	}
}
