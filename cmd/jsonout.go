package cmd

import (
	"context"
	"fmt"
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
//
// The command has done its work by now (a token created or rotated), so
// a filter that fails at run time must not lose its result: the
// unfiltered document is printed instead, and the error says so.
func (fo *filterOut) write(v any) error {
	val, err := jsonfilter.Value(v)
	if err != nil {
		return err
	}
	var out strings.Builder
	if err := fo.run(&out, val); err != nil {
		if werr := encodeJSON(fo.Writer, v, "  "); werr != nil {
			return werr
		}
		return fmt.Errorf("%w; the JSON it was given is printed instead", err)
	}
	_, err = io.WriteString(fo.Writer, out.String())
	return err
}

func (fo *filterOut) run(out *strings.Builder, val any) error {
	if fo.filter.IsTemplate() {
		var b strings.Builder
		if err := fo.filter.Execute(&b, val, fo.tty); err != nil {
			return err
		}
		out.WriteString(fo.text(b.String()))
		return nil
	}
	indent := ""
	if fo.tty {
		indent = "  "
	}
	return fo.filter.Query(fo.ctx, val, func(r any) error {
		if s, ok := r.(string); ok {
			out.WriteString(fo.text(s) + "\n")
			return nil
		}
		return encodeJSON(out, r, indent)
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
