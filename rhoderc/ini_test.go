package rhoderc

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func mustParse(t *testing.T, data string) *File {
	t.Helper()
	f, err := Parse("test.rc", []byte(data))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return f
}

func mustBytes(t *testing.T, f *File) string {
	t.Helper()
	b, err := f.Bytes()
	if err != nil {
		t.Fatalf("Bytes: %v", err)
	}
	return string(b)
}

// diffLines reports the lines of got that are not at the same place in
// want, as a readable failure message.
func diffLines(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	var b strings.Builder
	for i := 0; i < max(len(w), len(g)); i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			fmt.Fprintf(&b, "line %d:\n  want %q\n  got  %q\n", i+1, wl, gl)
		}
	}
	return b.String()
}

func TestINIRoundTrip(t *testing.T) {
	orig := readFile(t, filepath.Join("testdata", "sample.ini"))
	f, err := Load(filepath.Join("testdata", "sample.ini"))
	if err != nil {
		t.Fatal(err)
	}
	if f.Dialect() != DialectINI {
		t.Fatalf("Dialect() = %q, want ini", f.Dialect())
	}
	if got := mustBytes(t, f); got != string(orig) {
		t.Fatalf("Load+Bytes not byte-identical:\n%s", diffLines(string(orig), got))
	}

	want := []Instance{
		{Name: "enterprise-1", URL: "http://127.0.0.1:10003/", Token: "91fdbdc257289c46633ef5aab274412911de1ba9", RepoDir: "/home/brian/repos"},
		{Name: "production", URL: "https://code.example.com", Token: "5a925f65438d29f8d6ced8ab8e8c3d305998d1d9"},
	}
	if got := f.Instances(); !reflect.DeepEqual(got, want) {
		t.Errorf("Instances() =\n%+v\nwant\n%+v", got, want)
	}
	if v, ok := f.InstanceValue("production", "api_cert_verify"); !ok || v != "false  ; unknown to us, kept" {
		t.Errorf("unknown key = %q, %v", v, ok)
	}
}

func TestINIEdits(t *testing.T) {
	tests := []struct {
		name   string
		edit   func(f *File)
		golden string
	}{
		{
			name: "change api_key",
			edit: func(f *File) {
				in, _ := f.Instance("production")
				in.Token = "0123456789abcdef0123456789abcdef01234567"
				f.SetInstance(in)
			},
			golden: "sample_api_key.golden",
		},
		{
			name: "add username",
			edit: func(f *File) {
				in, _ := f.Instance("production")
				in.Username = "alice"
				f.SetInstance(in)
			},
			golden: "sample_username.golden",
		},
		{
			name: "new instance and default",
			edit: func(f *File) {
				f.SetInstance(Instance{Name: "staging", URL: "https://staging.example.com", Username: "bob", Storage: StorageKeyring})
				f.SetDefault("staging")
			},
			golden: "sample_new.golden",
		},
		{
			name: "unchanged values write nothing",
			edit: func(f *File) {
				for _, in := range f.Instances() {
					f.SetInstance(in)
				}
				f.SetInstanceValue("production", "api_cert_verify", "false  ; unknown to us, kept")
			},
			golden: "sample.ini",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f, err := Load(filepath.Join("testdata", "sample.ini"))
			if err != nil {
				t.Fatal(err)
			}
			tc.edit(f)
			want := string(readFile(t, filepath.Join("testdata", tc.golden)))
			if got := mustBytes(t, f); got != want {
				t.Errorf("mismatch with %s:\n%s", tc.golden, diffLines(want, got))
			}
		})
	}
}

func TestINISyntax(t *testing.T) {
	tests := []struct {
		name, in string
		key      string // tool key of instance "x"
		want     string
		wantOK   bool
	}{
		{"colon", "[instance:x]\napi_host: http://h\n", "url", "http://h", true},
		{"no spaces", "[instance:x]\napi_host=http://h\n", "url", "http://h", true},
		{"quoted", "[instance:x]\napi_key = \"abc\"\n", "token", "abc", true},
		{"inline comment", "[instance:x]\napi_key = abc # mine\n", "token", "abc", true},
		{"hash inside value", "[instance:x]\napi_host = http://h/#frag\n", "url", "http://h/#frag", true},
		{"continuation", "[instance:x]\nnote = a\n  b\n\tc\n", "note", "a\nb\nc", true},
		{"same indent is a new key", "[instance:x]\n  a = 1\n  note = 2\n", "note", "2", true},
		{"crlf", "[instance:x]\r\napi_key = abc\r\n", "token", "abc", true},
		{"no trailing newline", "[instance:x]\napi_key = abc", "token", "abc", true},
		{"bom", "\ufeff[instance:x]\napi_key = abc\n", "token", "abc", true},
		{"header comment", "[instance:x] # hi\napi_key = abc\n", "token", "abc", true},
		{"missing", "[instance:x]\n", "token", "", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := mustParse(t, tc.in)
			if got := mustBytes(t, f); got != tc.in {
				t.Errorf("round trip = %q", got)
			}
			got, ok := f.InstanceValue("x", tc.key)
			if got != tc.want || ok != tc.wantOK {
				t.Errorf("InstanceValue = %q, %v; want %q, %v", got, ok, tc.want, tc.wantOK)
			}
		})
	}
}

func TestINIEditInPlace(t *testing.T) {
	tests := []struct {
		name, in string
		edit     func(f *File)
		want     string
	}{
		{
			name: "keeps quotes and comment",
			in:   "[instance:x]\napi_key = \"old\"  # mine\n",
			edit: func(f *File) { f.SetInstanceValue("x", "token", "new") },
			want: "[instance:x]\napi_key = \"new\"  # mine\ncli_added = api_key\n",
		},
		{
			name: "drops continuation of replaced value",
			in:   "[instance:x]\nnote = a\n  b\nz = 1\n",
			edit: func(f *File) { f.SetInstanceValue("x", "note", "c") },
			want: "[instance:x]\nnote = c\nz = 1\ncli_added = note\n",
		},
		{
			name: "crlf and missing final newline",
			in:   "[instance:x]\r\napi_host = h",
			edit: func(f *File) { f.SetInstanceValue("x", "username", "u") },
			want: "[instance:x]\r\napi_host = h\r\nusername = u\r\ncli_added = username\r\n",
		},
		{
			name: "copies indentation and separator, before trailing blanks",
			in:   "[instance:x]\n  api_host=h\n\n\n[y]\n",
			edit: func(f *File) { f.SetInstanceValue("x", "username", "u") },
			want: "[instance:x]\n  api_host=h\n  username=u\n  cli_added=username\n\n\n[y]\n",
		},
		{
			name: "after comment attached to last key",
			in:   "[instance:x]\napi_host = h\n# about h\n\n# about y\n[y]\n",
			edit: func(f *File) { f.SetInstanceValue("x", "username", "u") },
			want: "[instance:x]\napi_host = h\n# about h\nusername = u\ncli_added = username\n\n# about y\n[y]\n",
		},
		{
			name: "new keys go before cli_added",
			in:   "[instance:x]\napi_host = h\ncli_added = api_host\n",
			edit: func(f *File) { f.SetInstanceValue("x", "username", "u") },
			want: "[instance:x]\napi_host = h\nusername = u\ncli_added = api_host,username\n",
		},
		{
			name: "token cleared removes api_key",
			in:   "[instance:x]\napi_host = h\napi_key = secret\n",
			edit: func(f *File) {
				in, _ := f.Instance("x")
				in.Token, in.Storage = "", StorageKeyring
				f.SetInstance(in)
			},
			want: "[instance:x]\napi_host = h\ntoken_storage = keyring\ncli_added = token_storage\n",
		},
		{
			name: "new section after file without newline",
			in:   "[instance:x]\napi_host = h",
			edit: func(f *File) { f.SetDefault("x") },
			want: "[instance:x]\napi_host = h\n\n[rhodecode-cli]\ndefault_instance = x\n",
		},
		{
			name: "clearing default removes our section",
			in:   "[instance:x]\napi_host = h\n\n[rhodecode-cli]\ndefault_instance = x\n",
			edit: func(f *File) { f.SetDefault("") },
			want: "[instance:x]\napi_host = h\n",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := mustParse(t, tc.in)
			tc.edit(f)
			if got := mustBytes(t, f); got != tc.want {
				t.Errorf("got\n%q\nwant\n%q", got, tc.want)
			}
		})
	}
}

func TestINIUnrepresentableValue(t *testing.T) {
	f := mustParse(t, "[instance:x]\napi_host = h\n")
	f.SetInstanceValue("x", "note", "two\nlines")
	if _, err := f.Bytes(); err == nil {
		t.Fatal("Bytes() succeeded for a value with a newline")
	}
	f = mustParse(t, "[instance:x]\n")
	f.SetInstance(Instance{Name: "bad]name", URL: "h"})
	if _, err := f.Bytes(); err == nil {
		t.Fatal("Bytes() succeeded for an instance name with ]")
	}
}

func TestINIParseErrors(t *testing.T) {
	tests := []struct {
		name, in string
		line     int
		msg      string
	}{
		{"garbage", "[instance:x]\napi_host = h\nthis is not ini\n", 3, "expected"},
		{"key before section", "# c\nkey = v\n[instance:x]\n", 2, "before any [section]"},
		{"duplicate section", "[instance:x]\na = 1\n\n[instance:x]\n", 4, "duplicate section"},
		{"duplicate key", "[instance:x]\na = 1\na = 2\n", 3, "duplicate key"},
		{"unclosed header", "[instance:x]\n[oops\n", 2, "closing"},
		{"empty key", "[instance:x]\n = v\n", 2, "empty key"},
		{"text after header", "[instance:x]\n[y] z\n", 2, "after section header"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("/home/u/.rhoderc", []byte(tc.in))
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("err = %v, want *ParseError", err)
			}
			if pe.Line != tc.line || !strings.Contains(pe.Msg, tc.msg) || pe.Path != "/home/u/.rhoderc" {
				t.Errorf("got %+v, want line %d and message containing %q", pe, tc.line, tc.msg)
			}
		})
	}
}

func TestINIRemoveInstance(t *testing.T) {
	sample := string(readFile(t, filepath.Join("testdata", "sample.ini")))
	withoutProduction := strings.Replace(sample,
		"[instance:production]\n# the main company server\n"+
			"api_host=https://code.example.com\n"+
			"api_key : 5a925f65438d29f8d6ced8ab8e8c3d305998d1d9\n"+
			"api_cert_verify = false  ; unknown to us, kept\n\n", "", 1)

	tests := []struct {
		name    string
		prepare func(f *File)
		remove  string
		all     bool
		want    string
	}{
		{
			name:   "user section, tool keys only: unchanged",
			remove: "production",
			want:   sample,
		},
		{
			name: "only tool-added and tool-changed keys go",
			prepare: func(f *File) {
				in, _ := f.Instance("production")
				in.Username, in.Storage, in.Token = "alice", StorageFile, "feedfacefeedfacefeedfacefeedfacefeedface"
				f.SetInstance(in)
				f.SetInstanceValue("production", "session", "cookie")
			},
			remove: "production",
			want: strings.Replace(sample,
				"api_key : 5a925f65438d29f8d6ced8ab8e8c3d305998d1d9\n", "", 1),
		},
		{
			name:   "all removes the section",
			remove: "production",
			all:    true,
			want:   withoutProduction,
		},
		{
			name: "tool-created section removed entirely, default cleared",
			prepare: func(f *File) {
				f.SetInstance(Instance{Name: "new", URL: "https://new", Username: "bob", Storage: StorageKeyring})
				f.SetDefault("new")
			},
			remove: "new",
			want:   sample,
		},
		{
			name:   "missing instance is a no-op",
			remove: "nope",
			want:   sample,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := mustParse(t, sample)
			if tc.prepare != nil {
				tc.prepare(f)
			}
			f.RemoveInstance(tc.remove, tc.all)
			if got := mustBytes(t, f); got != tc.want {
				t.Errorf("mismatch:\n%s", diffLines(tc.want, got))
			}
			if d := f.DefaultInstance(); d == tc.remove {
				t.Errorf("default still %q", d)
			}
		})
	}
}
