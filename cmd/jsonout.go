package cmd

import (
	"context"
	"io"
	"strings"

	"github.com/rhodecode-cli/rhodecode/internal/iostreams"
	"github.com/rhodecode-cli/rhodecode/internal/jsonfilter"
	"github.com/rhodecode-cli/rhodecode/internal/termtext"
)

// filterOut is stdout while --jq or --template is in force: other writes
// pass through, and writeJSON hands it the document instead of printing
// it. Installed once, by the root's pre-run, so every command with --json
// has both flags without knowing about them.
type filterOut struct {
	io.Writer
	ctx    context.Context
	filter *jsonfilter.Filter
	tty    bool
}

// setupFilter compiles --jq or --template (a mistake in either is a usage
// error, before any request) and puts a filterOut in front of stdout.
// Either flag implies --json.
func setupFilter(ctx context.Context, ios *iostreams.IOStreams, g *globalOptions) error {
	f, err := jsonfilter.Compile(g.JQ, g.Template)
	if err != nil {
		return &usageError{msg: err.Error()}
	}
	if f == nil {
		return nil
	}
	g.JSON = true
	if _, done := ios.Out.(*filterOut); !done {
		ios.Out = &filterOut{Writer: ios.Out, ctx: ctx, filter: f, tty: ios.IsStdoutTTY()}
	}
	return nil
}

// write prints v through the filter. A --template's text, and the
// strings --jq yields, print raw, as gh and jq -r print them; on a
// terminal they are sanitised line by line, since they hold server text.
// Other --jq results print as JSON, indented on a terminal and one per
// line when piped, with controls escaped as in writeJSON.
func (fo *filterOut) write(v any) error {
	val, err := jsonfilter.Value(v)
	if err != nil {
		return err
	}
	if fo.filter.IsTemplate() {
		var b strings.Builder
		if err := fo.filter.Execute(&b, val, fo.tty); err != nil {
			return err
		}
		_, err := io.WriteString(fo.Writer, fo.text(b.String()))
		return err
	}
	indent := ""
	if fo.tty {
		indent = "  "
	}
	return fo.filter.Query(fo.ctx, val, func(r any) error {
		if s, ok := r.(string); ok {
			_, err := io.WriteString(fo.Writer, fo.text(s)+"\n")
			return err
		}
		return encodeJSON(fo.Writer, r, indent)
	})
}

// text is s as printed raw: sanitised on a terminal, where a control
// character from the server would act, but with its line breaks kept.
func (fo *filterOut) text(s string) string {
	if !fo.tty {
		return s
	}
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = termtext.Sanitize(l)
	}
	return strings.Join(lines, "\n")
}
