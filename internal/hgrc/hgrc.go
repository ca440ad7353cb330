// Package hgrc edits Mercurial config files (hgrc) without losing
// anything: it reads them the way Mercurial's config parser does
// (mercurial/config.py), keeps every line as it was, and changes only the
// lines of one [auth] entry and one %include line that it owns. A file
// Mercurial could not read is an error and is never rewritten.
package hgrc

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/rhodecode-cli/rhodecode/internal/atomicfile"
)

// Mercurial's own patterns (config.py), anchored as Python's re.match is.
var (
	sectionRe = regexp.MustCompile(`^\[([^\[]+)\]`)
	itemRe    = regexp.MustCompile(`^([^=\s][^=]*?)\s*=\s*(.*\S|)`)
	contRe    = regexp.MustCompile(`^\s+(\S|\S.*\S)\s*$`)
	emptyRe   = regexp.MustCompile(`^(;|#|\s*$)`)
	commentRe = regexp.MustCompile(`^(;|#)`)
	unsetRe   = regexp.MustCompile(`^%unset\s+(\S+)`)
	includeRe = regexp.MustCompile(`^%include\s+(\S|\S.*\S)\s*$`)
)

type kind int

const (
	kEmpty kind = iota // blank or comment
	kSection
	kItem
	kCont // continuation of the item above
	kInclude
	kUnset
)

type line struct {
	text    string // as in the file, with its line ending
	kind    kind
	section string // the section the line is in
	key     string // kItem, kCont: the item's name
	value   string // kItem: its value; kInclude: the path
}

// File is a parsed hgrc.
type File struct {
	lines []line
}

// ParseError is a line Mercurial would refuse. Its message names the
// line but does not quote it: hgrc lines hold passwords.
type ParseError struct {
	Line int
	// Why is Mercurial's reason in general terms.
	Why string
}

func (e *ParseError) Error() string {
	return fmt.Sprintf("line %d is not valid hgrc syntax (%s); Mercurial would refuse it too, fix it by hand", e.Line, e.Why)
}

// Parse reads an hgrc as Mercurial does.
func Parse(data []byte) (*File, error) {
	f := &File{}
	section, item, cont := "", "", false
	rest := string(data)
	for n := 1; rest != ""; n++ {
		text := rest
		if i := strings.IndexByte(rest, '\n'); i >= 0 {
			text, rest = rest[:i+1], rest[i+1:]
		} else {
			rest = ""
		}
		l := strings.TrimRight(text, "\r\n")
		if n == 1 {
			l = strings.TrimPrefix(l, "\ufeff")
		}
		ln := line{text: text, section: section}
		if cont {
			if commentRe.MatchString(l) {
				f.lines = append(f.lines, ln) // kEmpty; the item goes on
				continue
			}
			if contRe.MatchString(l) {
				ln.kind, ln.key = kCont, item
				f.lines = append(f.lines, ln)
				continue
			}
			cont = false
		}
		if m := includeRe.FindStringSubmatch(l); m != nil {
			ln.kind, ln.value = kInclude, m[1]
		} else if emptyRe.MatchString(l) {
			ln.kind = kEmpty
		} else if m := sectionRe.FindStringSubmatch(l); m != nil {
			section = m[1]
			ln.kind, ln.section = kSection, section
		} else if m := itemRe.FindStringSubmatch(l); m != nil {
			item, cont = m[1], true
			ln.kind, ln.key, ln.value = kItem, m[1], m[2]
		} else if unsetRe.MatchString(l) {
			ln.kind = kUnset
		} else {
			why := "neither a [section], a name = value item, a comment nor %include/%unset"
			if strings.HasPrefix(l, " ") || strings.HasPrefix(l, "\t") {
				why = "unexpected leading whitespace"
			}
			return nil, &ParseError{Line: n, Why: why}
		}
		f.lines = append(f.lines, ln)
	}
	return f, nil
}

// Bytes is the file as it would be written.
func (f *File) Bytes() []byte {
	var b bytes.Buffer
	for _, l := range f.lines {
		b.WriteString(l.text)
	}
	return b.Bytes()
}

// Attr is one setting of an [auth] entry: <entry>.<Name> = <Value>.
type Attr struct{ Name, Value string }

// Auth returns the settings of the [auth] entry name (the last value of
// each, as Mercurial reads them; continuation lines are not followed).
func (f *File) Auth(name string) map[string]string {
	out := map[string]string{}
	for _, l := range f.lines {
		if l.kind == kItem && l.section == "auth" {
			if attr, ok := strings.CutPrefix(l.key, name+"."); ok && !strings.Contains(attr, ".") {
				out[attr] = l.value
			}
		}
	}
	return out
}

// HasInclude says whether the file has a %include line for path.
func (f *File) HasInclude(path string) bool {
	for _, l := range f.lines {
		if l.kind == kInclude && l.value == path {
			return true
		}
	}
	return false
}

// owned says whether line i belongs to the tool's block for entry name
// and include path: the entry's items in [auth] (with their continuation
// lines), and %include lines of path.
func (f *File) owned(i int, name, include string) bool {
	l := f.lines[i]
	switch l.kind {
	case kItem, kCont:
		attr, ok := strings.CutPrefix(l.key, name+".")
		return ok && l.section == "auth" && !strings.Contains(attr, ".")
	case kInclude:
		return include != "" && l.value == include
	}
	return false
}

// remove drops the tool's lines and returns where the first of them in
// an [auth] section was (-1 if there was none).
func (f *File) remove(name, include string) int {
	first := -1
	kept := f.lines[:0:0]
	for i := range f.lines {
		if f.owned(i, name, include) {
			if first < 0 && f.lines[i].section == "auth" {
				first = len(kept)
			}
			continue
		}
		kept = append(kept, f.lines[i])
	}
	f.lines = kept
	return first
}

// SetAuth makes the [auth] entry name exactly attrs, followed by a
// %include line for include ("" for none). The entry stays where it was;
// a new one goes after the last item of the last [auth] section, or in a
// new [auth] section at the end. Every other line is kept as it was.
func (f *File) SetAuth(name string, attrs []Attr, include string) {
	at := f.remove(name, include)
	var block []line
	for _, a := range attrs {
		key := name + "." + a.Name
		block = append(block, line{text: key + " = " + a.Value + "\n", kind: kItem, section: "auth", key: key, value: a.Value})
	}
	if include != "" {
		block = append(block, line{text: "%include " + include + "\n", kind: kInclude, section: "auth", value: include})
	}
	if at < 0 {
		for i, l := range f.lines {
			if l.section == "auth" && (l.kind == kSection || l.kind == kItem || l.kind == kCont || l.kind == kInclude || l.kind == kUnset) {
				at = i + 1
			}
		}
	}
	if at < 0 {
		// A new section at the end, after a blank line.
		if n := len(f.lines); n > 0 {
			if !strings.HasSuffix(f.lines[n-1].text, "\n") {
				f.lines[n-1].text += "\n"
			}
			// Always one: RemoveAuth takes it away again.
			f.lines = append(f.lines, line{text: "\n"})
		}
		f.lines = append(f.lines, line{text: "[auth]\n", kind: kSection, section: "auth"})
		f.lines = append(f.lines, block...)
		return
	}
	if at > 0 && !strings.HasSuffix(f.lines[at-1].text, "\n") {
		f.lines[at-1].text += "\n"
	}
	f.lines = append(f.lines[:at], append(block, f.lines[at:]...)...)
}

// RemoveAuth removes the [auth] entry name and the %include lines of
// include. An [auth] section left with nothing in it at the end of the
// file (as SetAuth adds one) goes too, with the blank line before it.
func (f *File) RemoveAuth(name, include string) {
	if f.remove(name, include) < 0 {
		return
	}
	n := len(f.lines)
	if n > 0 && f.lines[n-1].kind == kSection && f.lines[n-1].section == "auth" {
		f.lines = f.lines[:n-1]
		if n-1 > 0 && f.lines[n-2].text == "\n" {
			f.lines = f.lines[:n-2]
		}
	}
}

// Load reads and parses an hgrc; a missing file is an empty one.
func Load(path string) (*File, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return &File{}, nil
	}
	if err != nil {
		return nil, err
	}
	f, err := Parse(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return f, nil
}

// Edit applies fn to the hgrc at path and writes the result atomically
// when it changed; it reports whether it did. A file that does not parse
// is left alone. A symlinked hgrc (dotfile managers) is written through
// the link; a file left empty is removed.
func Edit(path string, fn func(*File)) (changed bool, err error) {
	if target, err := filepath.EvalSymlinks(path); err == nil {
		path = target
	}
	old, err := os.ReadFile(path)
	exists := err == nil
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return false, err
	}
	f, err := Parse(old)
	if err != nil {
		return false, fmt.Errorf("%s: %w", path, err)
	}
	fn(f)
	data := f.Bytes()
	if bytes.Equal(data, old) {
		return false, nil
	}
	if len(data) == 0 {
		if exists {
			return true, os.Remove(path)
		}
		return false, nil
	}
	mode := fs.FileMode(0o644)
	if st, err := os.Stat(path); err == nil {
		mode = st.Mode().Perm()
	}
	return true, atomicfile.Write(path, data, mode)
}

// ExtensionEnabled says whether the file enables extension name in
// [extensions] (as name or hgext.name; a value starting with ! disables
// it). The last setting wins, as in Mercurial.
func (f *File) ExtensionEnabled(name string) bool {
	on := false
	for _, l := range f.lines {
		if l.kind == kItem && l.section == "extensions" && (l.key == name || l.key == "hgext."+name) {
			on = !strings.HasPrefix(l.value, "!")
		}
	}
	return on
}

// AuthInclude is the path of the %include line right after the [auth]
// entry name's items (where SetAuth puts it), "" if there is none.
func (f *File) AuthInclude(name string) string {
	after := false
	for i, l := range f.lines {
		switch {
		case f.owned(i, name, "") && l.kind == kItem:
			after = true
		case l.kind == kCont:
		case l.kind == kInclude && after && l.section == "auth":
			return l.value
		default:
			after = false
		}
	}
	return ""
}
