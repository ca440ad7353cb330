// Command docgen writes the man pages (docs/man/man1) and the markdown
// command reference (docs/reference) from the cobra command tree. It is
// the one importer of spf13/cobra/doc (and through it go-md2man), so the
// rhodecode binary links neither. From the module root:
//
//	go run ./internal/docgen
//
// Its test fails while the committed pages differ from what it writes.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/rhodecode-cli/rhodecode/cmd"
	"github.com/spf13/cobra"
	"github.com/spf13/cobra/doc"
	"github.com/spf13/pflag"
)

// The man pages' header is fixed, so that regenerating changes a page
// only when its command changes (cobra would put today's date in it).
var (
	headerDate = time.Date(2026, time.December, 1, 0, 0, 0, 0, time.UTC)
	header     = doc.GenManHeader{Section: "1", Date: &headerDate, Source: "rhodecode", Manual: "rhodecode manual"}
)

// Where the pages go, below the module root.
const (
	manDir = "docs/man/man1"
	refDir = "docs/reference"
)

func main() {
	root := flag.String("root", ".", "module root to write docs/ under")
	flag.Parse()
	if err := generate(*root); err != nil {
		fmt.Fprintln(os.Stderr, "docgen:", err)
		os.Exit(1)
	}
}

// generate replaces the generated pages under root/docs with fresh ones;
// pages of commands that no longer exist go too.
func generate(root string) error {
	man, ref := filepath.Join(root, manDir), filepath.Join(root, refDir)
	for _, d := range []struct{ dir, ext string }{{man, ".1"}, {ref, ".md"}} {
		if err := clean(d.dir, d.ext); err != nil {
			return err
		}
	}
	h := header
	if err := doc.GenManTree(tree(true), &h, man); err != nil {
		return fmt.Errorf("man pages: %w", err)
	}
	if err := doc.GenMarkdownTree(tree(false), ref); err != nil {
		return fmt.Errorf("reference: %w", err)
	}
	return nil
}

// tree is the command tree with its texts made safe for markdown, which
// both generators write them as: the help's indented blocks become code
// blocks, and "<id>" or "token_role_vcs" stay text rather than an HTML tag
// or emphasis. The man pages also put the usage line and the flags' help
// through markdown (go-md2man); the reference shows those in code blocks.
func tree(forMan bool) *cobra.Command {
	root := cmd.NewRootCmd(&cmd.Factory{})
	seen := map[*pflag.Flag]bool{} // inherited flags are shared: escape once
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		// No "Auto generated … on <today>" lines: the output must be stable.
		c.DisableAutoGenTag = true
		c.Long = markdownText(c.Long)
		c.Short = escapeMarkdown(c.Short)
		if forMan {
			// Only after the first word, which is the command's name.
			name, rest, _ := strings.Cut(c.Use, " ")
			c.Use = strings.TrimSpace(name + " " + escapeMarkdown(rest))
			for _, fs := range []*pflag.FlagSet{c.Flags(), c.PersistentFlags()} {
				fs.VisitAll(func(f *pflag.Flag) {
					if !seen[f] {
						seen[f] = true
						f.Usage = escapeMarkdown(f.Usage)
					}
				})
			}
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
	return root
}

// markdownText turns a command's help text into markdown that reads the
// same: lines indented under a paragraph (the ENVIRONMENT and EXIT STATUS
// tables) become a code block, other lines are escaped.
func markdownText(s string) string {
	var out []string
	inBlock := false
	for _, line := range strings.Split(s, "\n") {
		indented := strings.HasPrefix(line, " ") || strings.HasPrefix(line, "\t")
		switch {
		case indented:
			if !inBlock && len(out) > 0 && out[len(out)-1] != "" {
				out = append(out, "")
			}
			inBlock = true
			out = append(out, "    "+line)
		default:
			if inBlock && line != "" {
				out = append(out, "")
			}
			inBlock = false
			out = append(out, escapeMarkdown(line))
		}
	}
	return strings.Join(out, "\n")
}

// escapeMarkdown backslash-escapes the characters markdown would read as
// HTML, emphasis or code.
var escapeMarkdown = strings.NewReplacer(
	`\`, `\\`, "`", "\\`", "*", `\*`, "_", `\_`, "<", `\<`, ">", `\>`,
).Replace

// clean creates dir and removes the pages an earlier run wrote there
// (rhodecode*<ext>), leaving any other file alone.
func clean(dir, ext string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	old, err := filepath.Glob(filepath.Join(dir, "rhodecode*"+ext))
	if err != nil {
		return err
	}
	for _, p := range old {
		if !strings.HasSuffix(p, ext) {
			continue
		}
		if err := os.Remove(p); err != nil {
			return err
		}
	}
	return nil
}
