package rhoderc

import (
	"errors"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestTOMLRoundTrip(t *testing.T) {
	f, err := Load(filepath.Join("testdata", "sample.toml"))
	if err != nil {
		t.Fatal(err)
	}
	if f.Dialect() != DialectTOML {
		t.Fatalf("Dialect() = %q, want toml", f.Dialect())
	}
	want := []Instance{
		{Name: "work", URL: "https://code.example.com", Username: "alice", Storage: StorageKeyring},
		{Name: "home", URL: "http://rc.lan:10020", Storage: StorageFile, Token: "abc123"},
	}
	if got := f.Instances(); !reflect.DeepEqual(got, want) {
		t.Errorf("Instances() =\n%+v\nwant\n%+v", got, want)
	}
	if d := f.DefaultInstance(); d != "work" {
		t.Errorf("DefaultInstance() = %q", d)
	}

	in, _ := f.Instance("home")
	in.Username = "carol"
	f.SetInstance(in)
	f.SetInstance(Instance{Name: "new", URL: "https://new.example.com"})
	f.SetDefault("home")

	got := mustBytes(t, f)
	wantBytes := string(readFile(t, filepath.Join("testdata", "sample_toml.golden")))
	if got != wantBytes {
		t.Fatalf("mismatch with sample_toml.golden:\n%s\nfull output:\n%s", diffLines(wantBytes, got), got)
	}

	// The rewrite reads back the same, unknown keys included, and renders
	// identically (deterministic output).
	f2 := mustParse(t, got)
	if again := mustBytes(t, f2); again != got {
		t.Errorf("second render differs:\n%s", diffLines(got, again))
	}
	if v, ok := f2.InstanceValue("home", "username"); !ok || v != "carol" {
		t.Errorf("username = %q, %v", v, ok)
	}
	for _, s := range []string{`color = "auto"`, `enabled = ["a", "b"]`, `verify_tls = false`, `nested = 1`} {
		if !strings.Contains(got, s) {
			t.Errorf("unknown key %s lost", s)
		}
	}
}

func TestTOMLEdits(t *testing.T) {
	tests := []struct {
		name, in string
		edit     func(f *File)
		want     string
	}{
		{
			name: "new file",
			in:   "",
			edit: func(f *File) {
				f.SetInstance(Instance{Name: "work", URL: "https://code.example.com", Username: "alice", Storage: StorageKeyring})
				f.SetDefault("work")
			},
			want: "default = \"work\"\n\n[instances.work]\nstorage = \"keyring\"\nurl = \"https://code.example.com\"\nusername = \"alice\"\n",
		},
		{
			name: "remove last instance and default",
			in:   "default = \"a\"\n[instances.a]\nurl = \"u\"\n",
			edit: func(f *File) { f.RemoveInstance("a", false) },
			want: "",
		},
		{
			name: "token cleared",
			in:   "[instances.a]\nurl = \"u\"\nstorage = \"file\"\ntoken = \"t\"\n",
			edit: func(f *File) {
				in, _ := f.Instance("a")
				in.Storage, in.Token = StorageKeyring, ""
				f.SetInstance(in)
			},
			want: "[instances.a]\nstorage = \"keyring\"\nurl = \"u\"\n",
		},
		{
			name: "extra values and quoted names",
			in:   "",
			edit: func(f *File) {
				f.SetInstanceValue("my server", "session", "s1")
				f.SetInstanceValue("my server", "vcs_token", "v1")
				f.DeleteInstanceValue("my server", "vcs_token")
			},
			want: "[instances.\"my server\"]\nsession = \"s1\"\n",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := mustParse(t, tc.in)
			tc.edit(f)
			if got := mustBytes(t, f); got != tc.want {
				t.Errorf("got\n%s\nwant\n%s", got, tc.want)
			}
		})
	}
}

func TestTOMLParseErrors(t *testing.T) {
	tests := []struct {
		name, in string
		line     int
	}{
		{"syntax", "default = \"a\"\n\n[instances.a]\nurl = \n", 4},
		{"unterminated string", "[instances.a]\nurl = \"x\nusername = \"y\"\n", 2},
		{"instances not a table", "instances = 3\n", 0},
		{"instance not a table", "[instances]\na = 3\n", 0},
		{"default not a string", "default = 1\n", 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("/x/.rhoderc", []byte(tc.in))
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("err = %v, want *ParseError", err)
			}
			if pe.Line != tc.line {
				t.Errorf("Line = %d, want %d (%v)", pe.Line, tc.line, err)
			}
		})
	}
}
