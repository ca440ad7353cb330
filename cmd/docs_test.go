package cmd

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

// readmeSection returns the README's text from the heading to the next
// heading of the same level.
func readmeSection(t *testing.T, heading string) string {
	t.Helper()
	b, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	i := strings.Index(s, "\n"+heading+"\n")
	if i < 0 {
		t.Fatalf("README has no %q", heading)
	}
	s = s[i+len(heading)+2:]
	if j := strings.Index(s, "\n## "); j >= 0 {
		s = s[:j]
	}
	return s
}

// The README's Layout section names every package of the module.
func TestReadmeLayoutListsEveryPackage(t *testing.T) {
	layout := readmeSection(t, "## Layout")
	seen := map[string]bool{}
	err := filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && path != ".." && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		dir, _ := filepath.Rel("..", filepath.Dir(path))
		if dir == "." {
			return nil // main.go
		}
		dir = filepath.ToSlash(dir)
		if !seen[dir] && !strings.Contains(layout, "`"+dir+"`") && !strings.Contains(layout, "`"+dir+"/`") {
			t.Errorf("README's Layout section does not name %s", dir)
		}
		seen[dir] = true
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// Every environment variable the tool reads (through Factory.Getenv, the
// user's environment) is in the root help and the README.
func TestEnvironmentDocumented(t *testing.T) {
	readme := readmeSection(t, "## Environment variables")
	re := regexp.MustCompile(`\bgetenv\("([A-Z_]+)"\)`)
	var names []string
	err := filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && path != ".." && strings.HasPrefix(d.Name(), ".") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, m := range re.FindAllStringSubmatch(string(b), -1) {
			if !slices.Contains(names, m[1]) {
				names = append(names, m[1])
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"NO_COLOR", "CLICOLOR", "CLICOLOR_FORCE", "RHODECODE_HOST"} {
		if !slices.Contains(names, want) {
			t.Fatalf("the scan found no getenv(%q): %v", want, names)
		}
	}
	for _, n := range names {
		word := regexp.MustCompile(`\b` + n + `\b`)
		if !word.MatchString(rootLong) {
			t.Errorf("the root help does not mention %s", n)
		}
		if !word.MatchString(readme) {
			t.Errorf("the README's Environment section does not mention %s", n)
		}
	}
}

// eachExampleLine calls fn with every line of every command's examples.
func eachExampleLine(c *cobra.Command, fn func(path, line string)) {
	for _, line := range strings.Split(c.Example, "\n") {
		fn(c.CommandPath(), line)
	}
	for _, sub := range c.Commands() {
		eachExampleLine(sub, fn)
	}
}

// No example leaves a URL with ? or * unquoted: zsh takes it for a glob
// and fails ("no matches found").
func TestExamplesQuoteGlobs(t *testing.T) {
	f := &Factory{}
	unquoted := regexp.MustCompile(`(^|\s)https?://[^\s"']*[?*]`)
	eachExampleLine(NewRootCmd(f), func(path, line string) {
		if unquoted.MatchString(line) {
			t.Errorf("%s: example not quoted for zsh: %s", path, line)
		}
	})
	if !strings.Contains(NewRootCmd(f).Example, `'url = "https://code.example.com/_admin/ops/ping?auth_token=%s"\n' "$(rhodecode auth token)" | curl -s -K -`) {
		t.Error("the root help lost its curl example")
	}
}

// No example hands a secret to another program as an argument (where the
// process list shows it): curl gets a token's URL on standard input.
func TestExamplesKeepSecretsOffArgv(t *testing.T) {
	onArgv := regexp.MustCompile(`curl[^|]*\$\(rhodecode (auth token|url|token show)`)
	eachExampleLine(NewRootCmd(&Factory{}), func(path, line string) {
		if onArgv.MatchString(line) {
			t.Errorf("%s: example puts a secret on curl's command line: %s", path, line)
		}
	})
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(readme), "\n") {
		if onArgv.MatchString(line) {
			t.Errorf("README: example puts a secret on curl's command line: %s", line)
		}
	}
}

// auth login --help describes the questions in the order they are asked:
// URL, user name, then password (or, with no user name, the token).
func TestLoginHelpMatchesPrompts(t *testing.T) {
	srv := fakeTokenServer(t, "4.27.0")
	e := newTestEnv(t)
	e.tty = true
	e.stdin = srv.URL + "\nalice\nwonderland\n"
	r := e.mustRun("auth", "login")
	prompts := []string{"RhodeCode URL: ", "RhodeCode user name (empty to paste an API token instead): ", "Password for alice on "}
	at := 0
	for _, p := range prompts {
		i := strings.Index(r.stderr[at:], p)
		if i < 0 {
			t.Fatalf("prompt %q not asked (in this order); stderr %q", p, r.stderr)
		}
		at += i + len(p)
	}
	help := e.mustRun("auth", "login", "--help").stdout
	at = 0
	for _, claim := range []string{"the URL (without --url", "then your RhodeCode user name", "empty to paste an API token", "then the password or the token", "masked"} {
		i := strings.Index(help[at:], claim)
		if i < 0 {
			t.Fatalf("auth login --help does not say %q (in this order):\n%s", claim, help)
		}
		at += i
	}
	if strings.Contains(help, "asks for the URL and the token") {
		t.Error("auth login --help still says it asks only for the URL and the token")
	}
	// --storage says keyring is the default, and it is.
	if !strings.Contains(help, "{keyring | file} (default keyring") {
		t.Errorf("--storage does not name its default:\n%s", help)
	}
	if !strings.Contains(r.stderr, "token in the OS keyring") {
		t.Errorf("login without --storage did not use the keyring: %q", r.stderr)
	}
}
