package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

const regenerate = "regenerate them with: go run ./internal/docgen (from the module root)"

// TestDocsUpToDate fails when the man pages and the reference committed
// under docs/ differ from what the command tree generates now, as
// TestCompletionsUpToDate does for completions/.
func TestDocsUpToDate(t *testing.T) {
	fresh := t.TempDir()
	if err := generate(fresh); err != nil {
		t.Fatal(err)
	}
	for _, dir := range []string{manDir, refDir} {
		want := files(t, filepath.Join(fresh, dir))
		got := files(t, filepath.Join("..", "..", dir))
		for name, body := range want {
			old, ok := got[name]
			switch {
			case !ok:
				t.Errorf("%s/%s is missing; %s", dir, name, regenerate)
			case !bytes.Equal(old, body):
				t.Errorf("%s/%s is stale; %s", dir, name, regenerate)
			}
		}
		for name := range got {
			if _, ok := want[name]; !ok {
				t.Errorf("%s/%s is for a command that no longer exists; %s", dir, name, regenerate)
			}
		}
	}
}

func files(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatalf("%v; %s", err, regenerate)
	}
	out := map[string][]byte{}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		out[e.Name()] = b
	}
	return out
}

// Generating twice gives the same bytes (no date of today), every
// visible command has a page, and what markdown would swallow survives.
func TestGenerateStable(t *testing.T) {
	a, b := t.TempDir(), t.TempDir()
	if err := generate(a); err != nil {
		t.Fatal(err)
	}
	if err := generate(b); err != nil {
		t.Fatal(err)
	}
	for _, dir := range []string{manDir, refDir} {
		fa, fb := files(t, filepath.Join(a, dir)), files(t, filepath.Join(b, dir))
		if len(fa) != len(fb) {
			t.Fatalf("%s: %d files, then %d", dir, len(fa), len(fb))
		}
		for name, body := range fa {
			if !bytes.Equal(body, fb[name]) {
				t.Errorf("%s/%s differs between two runs", dir, name)
			}
		}
	}
	man := files(t, filepath.Join(a, manDir))
	for _, want := range []string{"rhodecode.1", "rhodecode-url-feed.1", "rhodecode-token-create.1", "rhodecode-auth-login.1"} {
		if _, ok := man[want]; !ok {
			t.Errorf("no %s among %v", want, mapsKeys(man))
		}
	}
	if _, ok := man["rhodecode-credential-helper.1"]; ok {
		t.Error("the hidden credential-helper has a man page")
	}
	page := string(man["rhodecode-url-feed.1"])
	for _, want := range []string{`.TH "RHODECODE-URL-FEED" "1" "Dec 2026" "rhodecode" "rhodecode manual"`, `rhodecode url feed <repository> [flags]`} {
		if !strings.Contains(page, want) {
			t.Errorf("rhodecode-url-feed.1 lacks %q:\n%s", want, page)
		}
	}
	if p := string(man["rhodecode-token-create.1"]); !strings.Contains(p, "rhodecode-cli <role> <user>@<host>") {
		t.Errorf("a flag's <placeholders> were eaten:\n%s", p)
	}
	// The root's ENVIRONMENT table stays a table (an .EX block).
	if p := string(man["rhodecode.1"]); !strings.Contains(p, ".EX\n  RHODECODE_INSTANCE") || !strings.Contains(p, "RHODECODE_INSTANCE   instance name") {
		t.Errorf("the ENVIRONMENT table was reflowed:\n%s", p)
	}
	if strings.Contains(string(files(t, filepath.Join(a, refDir))["rhodecode_url.md"]), "Auto generated") {
		t.Error("the reference carries cobra's dated footer")
	}
}

func mapsKeys(m map[string][]byte) []string {
	var k []string
	for n := range m {
		k = append(k, n)
	}
	return k
}

// The rhodecode binary links neither cobra/doc nor go-md2man: only this
// generator does.
func TestBinaryDoesNotLinkDocgen(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "github.com/rhodecode-cli/rhodecode").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, pkg := range strings.Fields(string(out)) {
		if pkg == "github.com/spf13/cobra/doc" || strings.HasPrefix(pkg, "github.com/cpuguy83/go-md2man") {
			t.Errorf("the rhodecode binary depends on %s", pkg)
		}
	}
}
