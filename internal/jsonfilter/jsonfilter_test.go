package jsonfilter

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/itchyny/gojq"
)

func mustValue(t *testing.T, doc string) any {
	t.Helper()
	v, err := Value(json.RawMessage(doc))
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestCompileNeither(t *testing.T) {
	f, err := Compile("", "")
	if f != nil || err != nil {
		t.Fatalf("Compile(\"\", \"\") = %v, %v; want nil, nil", f, err)
	}
}

func TestCompileErrors(t *testing.T) {
	for _, tc := range []struct{ jq, tmpl, flag, want string }{
		{jq: ".[", flag: "--jq", want: "unexpected EOF"},
		{jq: ".a | {", flag: "--jq", want: `after ".a | {"`},
		{jq: "nosuchfunc", flag: "--jq", want: "function not defined: nosuchfunc/0"},
		{jq: "$undefined", flag: "--jq", want: "variable not defined: $undefined"},
		{tmpl: "{{.a", flag: "--template", want: "unclosed action"},
		{tmpl: "{{nosuch .a}}", flag: "--template", want: `function "nosuch" not defined`},
		{jq: ".", tmpl: "x", flag: "--jq", want: "cannot be used with --template"},
	} {
		_, err := Compile(tc.jq, tc.tmpl)
		var se *SyntaxError
		if !errors.As(err, &se) || se.Flag != tc.flag || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Compile(%q, %q) = %v; want a %s SyntaxError with %q", tc.jq, tc.tmpl, err, tc.flag, tc.want)
		}
	}
}

func TestQuery(t *testing.T) {
	f, err := Compile(`.[] | select(.n > 1) | .name, .n`, "")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	err = f.Query(context.Background(), mustValue(t, `[{"name":"a","n":1},{"name":"b","n":12345678901234567890}]`), func(v any) error {
		got = append(got, fmt.Sprintf("%T %v", v, v))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// The big integer stays exact (json.Number in, *big.Int or the
	// number's text out), not rounded through float64.
	if len(got) != 2 || got[0] != "string b" || !strings.HasSuffix(got[1], " 12345678901234567890") {
		t.Errorf("results %q", got)
	}
}

func TestQueryRuntimeError(t *testing.T) {
	f, _ := Compile(`.a + 1`, "")
	err := f.Query(context.Background(), mustValue(t, `{"a":"x"}`), func(any) error { return nil })
	if err == nil || !strings.HasPrefix(err.Error(), "--jq: ") {
		t.Errorf("err = %v; want a --jq error", err)
	}
	// halt stops without an error, as in jq.
	f, _ = Compile(`1, halt, 2`, "")
	n := 0
	if err := f.Query(context.Background(), nil, func(any) error { n++; return nil }); err != nil || n != 1 {
		t.Errorf("halt: %d results, err %v", n, err)
	}
}

// $ENV and env are empty: an expression cannot read the environment,
// where RHODECODE_TOKEN may be.
func TestQueryNoEnvironment(t *testing.T) {
	t.Setenv("RHODECODE_TOKEN", "0123456789abcdef0123456789abcdef01234567")
	f, err := Compile(`[$ENV.RHODECODE_TOKEN, env.RHODECODE_TOKEN]`, "")
	if err != nil {
		t.Fatal(err)
	}
	_ = f.Query(context.Background(), nil, func(v any) error {
		if b, _ := json.Marshal(v); strings.Contains(string(b), "0123456789abcdef") {
			t.Errorf("the environment leaked: %s", b)
		}
		return nil
	})
}

func TestQueryCancelled(t *testing.T) {
	f, _ := Compile(`repeat(1)`, "")
	ctx, cancel := context.WithCancel(context.Background())
	n := 0
	err := f.Query(ctx, nil, func(any) error {
		if n++; n == 3 {
			cancel()
		}
		return nil
	})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v; want context.Canceled", err)
	}
}

func TestTemplate(t *testing.T) {
	doc := mustValue(t, `{"user":"alice","emails":["a@x","b@y"],"tokens":[{"id":1,"role":"vcs"},{"id":22,"role":"api calls"}],"n":12345678901234567890}`)
	for _, tc := range []struct {
		tmpl string
		tty  bool
		want string
	}{
		{`{{.user}} {{.n}}{{"\n"}}`, false, "alice 12345678901234567890\n"},
		{`{{join ", " .emails}}`, false, "a@x, b@y"},
		{`{{json .tokens}}`, false, `[{"id":1,"role":"vcs"},{"id":22,"role":"api calls"}]`},
		{`{{join " " (pluck "role" .tokens)}}`, false, "vcs api calls"},
		{`{{.missing}}`, false, "<no value>"}, // as Go templates (and gh) print it
		{`{{range .tokens}}{{tablerow .id .role}}{{end}}`, false, "1\tvcs\n22\tapi calls\n"},
		{`{{range .tokens}}{{tablerow .id .role}}{{end}}`, true, "1   vcs\n22  api calls\n"},
		{`{{range .tokens}}{{tablerow .id .role}}{{end}}{{tablerender}}end{{"\n"}}`, true, "1   vcs\n22  api calls\nend\n"},
	} {
		f, err := Compile("", tc.tmpl)
		if err != nil {
			t.Fatalf("%s: %v", tc.tmpl, err)
		}
		var b strings.Builder
		if err := f.Execute(&b, doc, tc.tty); err != nil {
			t.Fatalf("%s: %v", tc.tmpl, err)
		}
		if b.String() != tc.want {
			t.Errorf("%s (tty %v) = %q; want %q", tc.tmpl, tc.tty, b.String(), tc.want)
		}
	}
}

func TestTemplateRuntimeError(t *testing.T) {
	f, _ := Compile("", `{{index .a 5}}`)
	err := f.Execute(&strings.Builder{}, mustValue(t, `{"a":[1]}`), false)
	if err == nil || !strings.HasPrefix(err.Error(), "--template: ") {
		t.Errorf("err = %v; want a --template error", err)
	}
}

func TestValueOfStruct(t *testing.T) {
	v, err := Value(struct {
		ID   int    `json:"id"`
		Name string `json:"name"`
	}{7, "x"})
	if err != nil {
		t.Fatal(err)
	}
	m, ok := v.(map[string]any)
	if !ok || m["id"] != json.Number("7") || m["name"] != "x" {
		t.Errorf("Value = %#v", v)
	}
}

// TestJQParseErrorWrapped: the position note keeps gojq's parse error in
// the chain (%w).
func TestJQParseErrorWrapped(t *testing.T) {
	_, err := Compile(".a | ", "")
	var pe *gojq.ParseError
	if !errors.As(err, &pe) || !strings.Contains(err.Error(), `after ".a | "`) {
		t.Fatalf("err = %v, want a *gojq.ParseError in the chain", err)
	}
}
