package rhoderc

import (
	"os"
	"reflect"
	"testing"
)

// quickSeeds are files quickTOML must read (want true) or leave to the
// TOML library (false).
var quickSeeds = []struct {
	src  string
	want bool
}{
	{"", true},
	{"# only a comment\n\n", true},
	{"default = \"work\"\n\n[instances.work]\nurl = \"https://code.example.com\"\nusername = \"alice\"\nstorage = \"file\"\ntoken = \"abc\"\nvcs_token_id = \"7\"\nvcs_token_expires = \"-1\"\n\n[instances.\"a.b\"]\nurl = \"http://x\"\n", true},
	{"[instances.w]\r\nurl = \"u\"\r\ntoken_id = 12\r\nvcs_token_rejected = true\r\nn = -0\r\n", true},
	{"  default=\"x\"\t\n[instances.a]\n\tk = \"#not a comment\"\n", true},
	{"[instances.a]\nurl = \"u\" # trailing\n", false},
	{"[instances.a]\nurl = \"a\\\"b\"\n", false},
	{"[instances.a]\nurl = 'literal'\n", false},
	{"[instances.a]\n[instances.a]\n", false},
	{"[instances.a]\nurl = \"1\"\nurl = \"2\"\n", false},
	{"[instances]\n[instances.a]\n", false},
	{"[plugins]\nx = 1\n", false},
	{"default = 3\n", false},
	{"instances = \"x\"\n", false},
	{"[instances.a]\nn = 007\n", false},
	{"[instances.a]\nn = 1_000\n", false},
	{"[instances.a]\nn = +1\n", false},
	{"[instances.a]\nn = 99999999999999999999\n", false},
	{"[instances.a]\na.b = 1\n", false},
	{"[instances.a]\nx = [1]\n", false},
	{"[instances.a]\nx = \"tab\tok\"\ny = \"cr\rno\"\n", false},
	{"\ufeff[instances.a]\n", false},
	{"[instances.a]\nx = \"\xff\"\n", false},
	{"[instances.a]\nx =\n", false},
}

func TestQuickTOMLSeeds(t *testing.T) {
	for _, s := range quickSeeds {
		if _, ok := quickTOML([]byte(s.src)); ok != s.want {
			t.Errorf("quickTOML(%q) ok = %v, want %v", s.src, ok, s.want)
		}
		checkQuickMatchesFull(t, []byte(s.src))
	}
	for _, f := range []string{"testdata/sample.toml"} {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		checkQuickMatchesFull(t, b)
	}
}

// checkQuickMatchesFull: whatever quickTOML accepts, the TOML library
// reads to the very same document.
func checkQuickMatchesFull(t *testing.T, src []byte) {
	t.Helper()
	q, ok := quickTOML(src)
	if !ok {
		return
	}
	full, err := parseTOMLFull("f", src)
	if err != nil {
		t.Fatalf("quickTOML read %q, the TOML library fails: %v", src, err)
	}
	if !reflect.DeepEqual(q.data, full.data) || !reflect.DeepEqual(q.order, full.order) {
		t.Fatalf("%q:\nquick %#v %q\nfull  %#v %q", src, q.data, q.order, full.data, full.order)
	}
}

func FuzzQuickTOML(f *testing.F) {
	for _, s := range quickSeeds {
		f.Add(s.src)
	}
	f.Fuzz(func(t *testing.T, src string) { checkQuickMatchesFull(t, []byte(src)) })
}
