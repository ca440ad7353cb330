package client

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// tokens lists what the page parsers can see of each token: its type, tag
// and the attributes readAttrs reads, or its text.
func tokens(z tokenSource) ([]string, error) {
	var out []string
	for {
		switch tt := z.Next(); tt {
		case html.ErrorToken:
			return out, z.Err()
		case html.StartTagToken, html.SelfClosingTagToken:
			out = append(out, fmt.Sprintf("%v %v %+v", tt, tagAtom(z), readAttrs(z)))
		case html.EndTagToken:
			out = append(out, fmt.Sprintf("%v %v", tt, tagAtom(z)))
		case html.TextToken:
			out = append(out, "text "+string(z.Text()))
		default:
			out = append(out, tt.String())
		}
	}
}

// checkSameTokens: unless pageScanner falls back, it gives exactly the
// tokens x/net/html's Tokenizer gives.
func checkSameTokens(t *testing.T, page []byte) (fellBack bool) {
	t.Helper()
	got, err := tokens(newPageScanner(page))
	if errors.Is(err, errScanFallback) {
		return true
	}
	want, werr := tokens(html.NewTokenizer(bytes.NewReader(page)))
	if !errors.Is(err, io.EOF) || !errors.Is(werr, io.EOF) {
		t.Fatalf("%q: scanner %v, tokenizer %v", page, err, werr)
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		for i := range min(len(got), len(want)) {
			if got[i] != want[i] {
				t.Fatalf("%q: token %d: scanner %q, tokenizer %q", page, i, got[i], want[i])
			}
		}
		t.Fatalf("%q: scanner %d tokens, tokenizer %d", page, len(got), len(want))
	}
	return false
}

var scanSeeds = []string{
	"", "text only", "a < b <3 <", "<p>x</p>", "<P CLASS=a Class=b>", "<a href=/x/>", "<br/>", "<a b/>",
	"<td class='td-authtoken x' data-x=\"1>2\">t</td>", "<input name=csrf_token value=abc>",
	"<!-- c --><!DOCTYPE html><?xml x?>", "<?DOCTYPE>", "<?doctype html>", "<!---->", "<!-- a -- b -->", "<!-->", "<!-- x --!>",
	"<script>var CSRF_TOKEN = \"a\"; if (a</b) {}</script><p>", "<script><!-- </script> --></script>",
	"<title>a &amp; b</title>", "<textarea></textarea>", "<style>p>a{}</STYLE >", "<plaintext><p>",
	"<p>caf&eacute; &lt;x&gt; &amp</p>", "<a title='&amp;'>", "</>", "</ p>", "<a =b c = d e=>",
	"<a b='unterminated", "<a", "<select name=role><option value=vcs>VCS</option></select>",
	"x\x00y", "a\r\nb", "<a\tb\fc\nd=e>", "<time datetime=\"2024-05-06 07:08:09+00:00\">",
}

func TestPageScannerMatchesTokenizer(t *testing.T) {
	for _, s := range scanSeeds {
		checkSameTokens(t, []byte(s))
	}
	// The real pages must not fall back.
	files, _ := filepath.Glob("testdata/*.html")
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if checkSameTokens(t, b) {
			t.Errorf("%s: the scanner fell back", f)
		}
	}
	if checkSameTokens(t, render(t, "auth_tokens_4.27.html.tmpl", fxPage427(thousandTokens(), "[]"))) {
		t.Error("the 1,000-token page fell back")
	}
}

func FuzzPageScanner(f *testing.F) {
	for _, s := range scanSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) { checkSameTokens(t, []byte(s)) })
}
