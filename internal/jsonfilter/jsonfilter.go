// Package jsonfilter is what --jq and --template do with a command's JSON
// document: a jq expression (gojq, a jq written in Go; this package is its
// only importer) or a Go text/template, as GitHub CLI offers them. It
// evaluates; how results are printed (escaping, sanitising for a
// terminal) is the caller's business.
package jsonfilter

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"text/template"

	"github.com/itchyny/gojq"
)

// Filter is a compiled --jq expression or --template text. A nil
// *Filter means neither was given.
type Filter struct {
	query *gojq.Code
	tmpl  *template.Template
}

// SyntaxError is an expression or template that does not compile; the
// command line is wrong, nothing was run.
type SyntaxError struct {
	Flag string // "--jq" or "--template"
	Err  error
}

func (e *SyntaxError) Error() string { return fmt.Sprintf("%s: %v", e.Flag, e.Err) }
func (e *SyntaxError) Unwrap() error { return e.Err }

// Compile checks jq and tmpl, at most one of which may be set; with
// neither it returns nil. Undefined functions and variables are caught
// here, before any request is made.
func Compile(jq, tmpl string) (*Filter, error) {
	switch {
	case jq != "" && tmpl != "":
		return nil, &SyntaxError{Flag: "--jq", Err: errors.New("cannot be used with --template")}
	case jq != "":
		q, err := gojq.Parse(jq)
		if err != nil {
			return nil, &SyntaxError{Flag: "--jq", Err: jqError(jq, err)}
		}
		// No environment loader: $ENV and env are empty, so an
		// expression cannot print RHODECODE_TOKEN.
		code, err := gojq.Compile(q)
		if err != nil {
			return nil, &SyntaxError{Flag: "--jq", Err: err}
		}
		return &Filter{query: code}, nil
	case tmpl != "":
		t, err := template.New("--template").Funcs(funcs(nil)).Parse(tmpl)
		if err != nil {
			return nil, &SyntaxError{Flag: "--template", Err: err}
		}
		return &Filter{tmpl: t}, nil
	}
	return nil, nil
}

// jqError says where in the expression a parse error is.
func jqError(src string, err error) error {
	var pe *gojq.ParseError
	if errors.As(err, &pe) && pe.Offset >= 0 && pe.Offset <= len(src) {
		return fmt.Errorf("%w after %q", err, src[:pe.Offset])
	}
	return err
}

// Value turns v (any value encoding/json can encode, or raw JSON) into
// the generic form both filters work on: maps, slices, strings, bools,
// nil and json.Number, so that large integers stay exact.
func Value(v any) (any, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var out any
	if err := dec.Decode(&out); err != nil {
		return nil, err
	}
	return out, nil
}

// IsTemplate reports whether f is a --template (its output is text, not
// a list of values).
func (f *Filter) IsTemplate() bool { return f.tmpl != nil }

// Query runs the --jq expression on v (from Value) and hands each result
// to emit: a string, json.Number, int, float64, *big.Int, bool, nil, a
// slice or a map. It stops at the first error, which names --jq.
func (f *Filter) Query(ctx context.Context, v any, emit func(any) error) error {
	iter := f.query.RunWithContext(ctx, v)
	for {
		r, ok := iter.Next()
		if !ok {
			return nil
		}
		if err, isErr := r.(error); isErr {
			var halt *gojq.HaltError
			if errors.As(err, &halt) && halt.Value() == nil {
				return nil // halt: stop here, successfully
			}
			return fmt.Errorf("--jq: %w", err)
		}
		if err := emit(r); err != nil {
			return err
		}
	}
}

// Execute runs the --template on v (from Value) and writes its text to w.
// tty says whether tablerow aligns columns (a terminal) or separates them
// with tabs (piped), as the tool's own tables do.
func (f *Filter) Execute(w io.Writer, v any, tty bool) error {
	tbl := &table{tty: tty}
	t, err := f.tmpl.Clone()
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := t.Funcs(funcs(tbl)).Execute(&buf, v); err != nil {
		return fmt.Errorf("--template: %w", err)
	}
	buf.WriteString(tbl.render())
	_, err = w.Write(buf.Bytes())
	return err
}

// funcs are the template helpers GitHub CLI users know: json, join,
// pluck, tablerow and tablerender. tbl collects tablerow's rows (nil
// while parsing).
func funcs(tbl *table) template.FuncMap {
	return template.FuncMap{
		"json": func(v any) (string, error) {
			var b bytes.Buffer
			enc := json.NewEncoder(&b)
			enc.SetEscapeHTML(false)
			if err := enc.Encode(v); err != nil {
				return "", err
			}
			return strings.TrimSuffix(b.String(), "\n"), nil
		},
		"join": func(sep string, list []any) string {
			parts := make([]string, len(list))
			for i, v := range list {
				parts[i] = text(v)
			}
			return strings.Join(parts, sep)
		},
		"pluck": func(field string, list []any) []any {
			var out []any
			for _, v := range list {
				if m, ok := v.(map[string]any); ok {
					out = append(out, m[field])
				}
			}
			return out
		},
		"tablerow": func(cells ...any) string {
			tbl.add(cells)
			return ""
		},
		"tablerender": func() string { return tbl.render() },
	}
}

// text is how a value reads in template output: strings as they are,
// nil as nothing, everything else as the template would print it.
func text(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		return v
	}
	return fmt.Sprint(v)
}

// table holds tablerow's rows until tablerender or the end.
type table struct {
	tty  bool
	rows [][]string
}

// cellBreaks turns a tab or a line break in a cell into a space: either
// would break the columns.
var cellBreaks = strings.NewReplacer("\t", " ", "\r\n", " ", "\n", " ", "\r", " ")

func (t *table) add(cells []any) {
	row := make([]string, len(cells))
	for i, c := range cells {
		row[i] = cellBreaks.Replace(text(c))
	}
	t.rows = append(t.rows, row)
}

func (t *table) render() string {
	if t == nil || len(t.rows) == 0 {
		return ""
	}
	var b strings.Builder
	var w io.Writer = &b
	var tw *tabwriter.Writer
	if t.tty {
		tw = tabwriter.NewWriter(&b, 0, 8, 2, ' ', 0)
		w = tw
	}
	for _, r := range t.rows {
		fmt.Fprintln(w, strings.Join(r, "\t"))
	}
	if tw != nil {
		_ = tw.Flush() // writes to a strings.Builder cannot fail
	}
	t.rows = nil
	return b.String()
}
