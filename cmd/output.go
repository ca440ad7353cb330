package cmd

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"unicode/utf16"

	"github.com/olekukonko/tablewriter"
	"github.com/rhodecode-cli/rhodecode/internal/termtext"
)

// writeJSON prints one JSON document, indented for people who read it.
// Server text in it is kept whole, but every character termtext would
// drop is written as a \u escape: encoding/json leaves DEL, C1 controls
// and bidi controls raw, and a terminal would act on them. When w is
// stdout with a --jq or --template (filterOut), the document goes through
// that instead: this is the one place --json output is written.
func writeJSON(w io.Writer, v any) error {
	if fo, ok := w.(*filterOut); ok {
		return fo.write(v)
	}
	return encodeJSON(w, v, "  ")
}

// encodeJSON writes v as JSON, indented by indent ("" for one line), with
// terminal controls escaped.
func encodeJSON(w io.Writer, v any, indent string) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", indent)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return fmt.Errorf("writing JSON: %w", err)
	}
	if _, err := io.WriteString(w, escapeControls(buf.String())); err != nil {
		return fmt.Errorf("writing JSON: %w", err)
	}
	return nil
}

// escapeControls writes as \u escapes the characters termtext would drop.
// In JSON text they can only stand inside a string, where an escape means
// the same character; those below DEL are escaped by encoding/json
// already, and the rest of them is the indentation.
func escapeControls(s string) string {
	var out strings.Builder
	for _, r := range s {
		if r < 0x7f || !termtext.Control(r) {
			out.WriteRune(r)
			continue
		}
		for _, u := range utf16.Encode([]rune{r}) {
			fmt.Fprintf(&out, `\u%04x`, u)
		}
	}
	return out.String()
}

// termPrintf is termtext.Fprintf, for a line a person reads: the
// server's text in the arguments is made safe. --json output escapes
// instead and does not come here.
func termPrintf(w io.Writer, format string, a ...any) {
	termtext.Fprintf(w, format, a...)
}

// tablePrinter prints rows the way gh does: on a terminal an aligned table
// with an upper-case header; when piped, tab-separated rows with no header,
// no colour and no truncation, so scripts can cut(1) them.
type tablePrinter struct {
	w      io.Writer
	tty    bool
	header []string
	rows   [][]string
}

func newTablePrinter(w io.Writer, tty bool, header ...string) *tablePrinter {
	return &tablePrinter{w: w, tty: tty, header: header}
}

func (t *tablePrinter) addRow(cells ...string) {
	for i := range cells {
		cells[i] = termtext.Sanitize(cells[i])
	}
	t.rows = append(t.rows, cells)
}

func (t *tablePrinter) render() error {
	if !t.tty {
		for _, r := range t.rows {
			for i := range r {
				// addRow's sanitize keeps tabs, and a tab inside a cell
				// would break the columns.
				r[i] = strings.ReplaceAll(r[i], "\t", " ")
			}
			if _, err := fmt.Fprintln(t.w, strings.Join(r, "\t")); err != nil {
				return err
			}
		}
		return nil
	}
	var buf bytes.Buffer
	tbl := tablewriter.NewWriter(&buf)
	tbl.SetHeader(t.header)
	tbl.SetAutoFormatHeaders(false)
	tbl.SetAutoWrapText(false)
	tbl.SetBorder(false)
	tbl.SetHeaderLine(false)
	tbl.SetColumnSeparator("")
	tbl.SetCenterSeparator("")
	tbl.SetRowSeparator("")
	tbl.SetHeaderAlignment(tablewriter.ALIGN_LEFT)
	tbl.SetAlignment(tablewriter.ALIGN_LEFT)
	tbl.SetTablePadding("  ")
	tbl.SetNoWhiteSpace(true)
	tbl.AppendBulk(t.rows)
	tbl.Render()
	// The renderer pads the last column; trailing blanks only add noise.
	for _, line := range strings.SplitAfter(buf.String(), "\n") {
		if line == "" {
			continue
		}
		if _, err := io.WriteString(t.w, strings.TrimRight(line, " \n")+"\n"); err != nil {
			return err
		}
	}
	return nil
}
