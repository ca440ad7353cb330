package cmd

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/olekukonko/tablewriter"
	"github.com/rhodecode-cli/rhodecode/internal/termtext"
)

// writeJSON prints one JSON document, indented for people who read it.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return fmt.Errorf("writing JSON: %w", err)
	}
	return nil
}

// termPrintf is fmt.Fprintf for a line a person reads. The format is
// ours; the arguments are not: user names, repository names, token
// descriptions and roles come from the server, errors quote it. Every
// string and error argument goes through termtext, so none of them can
// move the cursor, retitle the terminal or break the line. --json output
// escapes instead and does not come here.
func termPrintf(w io.Writer, format string, a ...any) {
	for i, v := range a {
		switch v := v.(type) {
		case string:
			a[i] = termtext.Sanitize(v)
		case error:
			a[i] = termtext.OneLine(v.Error())
		}
	}
	fmt.Fprintf(w, format, a...)
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
