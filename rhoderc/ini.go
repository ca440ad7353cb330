package rhoderc

import (
	"fmt"
	"slices"
	"strings"
)

// The INI dialect keeps every line's original text and edits values in
// place, so Load followed by Bytes is byte-identical and a change touches
// only its own line. The syntax accepted is what both Python parsers that
// rhodecode-tools might use agree on: "key = value" or "key: value",
// full-line "#" and ";" comments, continuation lines indented deeper than
// their key (ConfigParser), an inline " # comment" and a value wrapped in
// matching quotes (ConfigObj).

const (
	utf8BOM = "\ufeff"

	iniInstancePrefix = "instance:"
	iniCLISection     = "rhodecode-cli"
	iniDefaultKey     = "default_instance"
	iniAddedKey       = "cli_added"
)

// iniKeyName maps a tool key name to the name rhodecode-tools uses.
func iniKeyName(key string) string {
	switch key {
	case KeyURL:
		return "api_host"
	case KeyToken:
		return "api_key"
	case KeyStorage:
		return "token_storage"
	}
	return key
}

type lineKind int

const (
	lineBlank lineKind = iota
	lineComment
	lineHeader
	lineKV
	lineCont
)

type iniLine struct {
	text   string // full original text including the line ending
	kind   lineKind
	key    string // lineKV
	indent int    // lineKV, lineCont: bytes of leading blanks
	sep    string // lineKV: text between key and value, e.g. " = "
	vs, ve int    // lineKV, lineCont: value span in text
	value  string // lineKV, lineCont
}

type iniSection struct {
	name  string     // "" for the preamble
	lines []*iniLine // lines[0] is the header, except in the preamble
}

type iniDoc struct {
	path     string
	bom      bool
	eol      string
	preamble *iniSection
	sections []*iniSection
}

// splitLines splits s after each "\n", keeping the terminators.
func splitLines(s string) []string {
	var out []string
	for s != "" {
		i := strings.IndexByte(s, '\n')
		if i < 0 {
			out = append(out, s)
			break
		}
		out = append(out, s[:i+1])
		s = s[i+1:]
	}
	return out
}

func leadingBlanks(s string) int {
	return len(s) - len(strings.TrimLeft(s, " \t"))
}

// valueSpan finds the value in content starting at from: leading blanks
// skipped, an inline " #" comment and trailing blanks excluded, matching
// quotes stripped.
func valueSpan(content string, from int) (vs, ve int) {
	vs = from + leadingBlanks(content[from:])
	if vs < len(content) && (content[vs] == '"' || content[vs] == '\'') {
		q := content[vs]
		if j := strings.IndexByte(content[vs+1:], q); j >= 0 {
			end := vs + 1 + j
			rest := strings.TrimLeft(content[end+1:], " \t")
			if rest == "" || (rest[0] == '#' && len(rest) < len(content[end+1:])) {
				return vs + 1, end
			}
		}
	}
	ve = len(content)
	for i := vs + 1; i < len(content); i++ {
		if content[i] == '#' && (content[i-1] == ' ' || content[i-1] == '\t') {
			ve = i
			break
		}
	}
	ve = vs + len(strings.TrimRight(content[vs:ve], " \t"))
	return vs, ve
}

// classify parses one line without context. prevIndent is the indentation
// of the key line a continuation would belong to, or -1 if none.
func classify(text string, prevIndent int) (*iniLine, string) {
	content := strings.TrimRight(text, "\r\n")
	l := &iniLine{text: text}
	trimmed := strings.TrimSpace(content)
	switch {
	case trimmed == "":
		l.kind = lineBlank
	case trimmed[0] == '#' || trimmed[0] == ';':
		l.kind = lineComment
	case prevIndent >= 0 && leadingBlanks(content) > prevIndent:
		l.kind = lineCont
		l.indent = leadingBlanks(content)
		l.vs, l.ve = valueSpan(content, 0)
		l.value = content[l.vs:l.ve]
	case trimmed[0] == '[':
		end := strings.IndexByte(trimmed, ']')
		if end < 0 {
			return nil, "section header without closing \"]\""
		}
		rest := strings.TrimSpace(trimmed[end+1:])
		if rest != "" && rest[0] != '#' && rest[0] != ';' {
			return nil, "unexpected text after section header"
		}
		l.kind = lineHeader
		l.key = strings.TrimSpace(trimmed[1:end])
		if l.key == "" {
			return nil, "empty section name"
		}
	default:
		i := strings.IndexAny(content, "=:")
		if i < 0 {
			return nil, "expected \"key = value\", \"key: value\", a [section] or a comment"
		}
		l.kind = lineKV
		l.indent = leadingBlanks(content)
		l.key = strings.TrimSpace(content[:i])
		if l.key == "" {
			return nil, "empty key"
		}
		keyEnd := l.indent + len(strings.TrimRight(content[l.indent:i], " \t"))
		l.vs, l.ve = valueSpan(content, i+1)
		start := i + 1 + leadingBlanks(content[i+1:])
		l.sep = content[keyEnd:start]
		l.value = content[l.vs:l.ve]
	}
	return l, ""
}

func parseINI(path string, data []byte) (*iniDoc, error) {
	s := string(data)
	d := &iniDoc{path: path, eol: "\n", preamble: &iniSection{}}
	if strings.HasPrefix(s, utf8BOM) {
		d.bom = true
		s = s[len(utf8BOM):]
	}
	lines := splitLines(s)
	if len(lines) > 0 && strings.HasSuffix(lines[0], "\r\n") {
		d.eol = "\r\n"
	}
	cur := d.preamble
	seenSection := map[string]int{}
	seenKey := map[string]int{}
	prevIndent := -1
	for i, text := range lines {
		perr := func(format string, args ...any) error {
			return &ParseError{Path: path, Line: i + 1, Msg: fmt.Sprintf(format, args...)}
		}
		l, msg := classify(text, prevIndent)
		if msg != "" {
			return nil, perr("%s", msg)
		}
		switch l.kind {
		case lineHeader:
			if first, dup := seenSection[l.key]; dup {
				return nil, perr("duplicate section [%s] (first on line %d)", l.key, first)
			}
			seenSection[l.key] = i + 1
			seenKey = map[string]int{}
			cur = &iniSection{name: l.key}
			d.sections = append(d.sections, cur)
			prevIndent = -1
		case lineKV:
			if cur == d.preamble {
				return nil, perr("key %q before any [section]", l.key)
			}
			// Both Python parsers reject duplicate keys; so do we, since
			// editing one of two would be ambiguous.
			if first, dup := seenKey[l.key]; dup {
				return nil, perr("duplicate key %q in [%s] (first on line %d)", l.key, cur.name, first)
			}
			seenKey[l.key] = i + 1
			prevIndent = l.indent
		case lineCont:
			// prevIndent stays: further deeper lines continue the same value.
		default:
			prevIndent = -1
		}
		cur.lines = append(cur.lines, l)
	}
	return d, nil
}

func (d *iniDoc) render() ([]byte, error) {
	var b strings.Builder
	if d.bom {
		b.WriteString(utf8BOM)
	}
	for _, s := range d.all() {
		for _, l := range s.lines {
			b.WriteString(l.text)
		}
	}
	return []byte(b.String()), nil
}

func (d *iniDoc) all() []*iniSection {
	return append([]*iniSection{d.preamble}, d.sections...)
}

func (d *iniDoc) section(name string) *iniSection {
	for _, s := range d.sections {
		if s.name == name {
			return s
		}
	}
	return nil
}

// find returns the index of key's line in s, or -1.
func (s *iniSection) find(key string) int {
	for i, l := range s.lines {
		if l.kind == lineKV && l.key == key {
			return i
		}
	}
	return -1
}

// span returns the index after key line i and its continuation lines.
func (s *iniSection) span(i int) int {
	j := i + 1
	for j < len(s.lines) && s.lines[j].kind == lineCont {
		j++
	}
	return j
}

func (s *iniSection) get(key string) (string, bool) {
	i := s.find(key)
	if i < 0 {
		return "", false
	}
	v := s.lines[i].value
	for _, c := range s.lines[i+1 : s.span(i)] {
		v += "\n" + c.value
	}
	return v, true
}

func (s *iniSection) hasKeys() bool {
	return slices.ContainsFunc(s.lines, func(l *iniLine) bool { return l.kind == lineKV })
}

func (s *iniSection) delete(key string) bool {
	i := s.find(key)
	if i < 0 {
		return false
	}
	s.lines = slices.Delete(s.lines, i, s.span(i))
	return true
}

// setKey edits key's value in place, or appends "key = value" after the last
// key of the section (and comments attached to it), but before cli_added so
// that our bookkeeping stays last.
func (d *iniDoc) setKey(s *iniSection, key, value string) error {
	if err := validINIKey(key); err != nil {
		return err
	}
	if strings.ContainsAny(value, "\r\n") {
		return fmt.Errorf("value for %q cannot be written to an INI file: it contains a line break", key)
	}
	if i := s.find(key); i >= 0 {
		l := s.lines[i]
		text := l.text[:l.vs] + value + l.text[l.ve:]
		nl, _ := classify(text, -1)
		if nl == nil || nl.kind != lineKV || nl.key != key || nl.value != value {
			return fmt.Errorf("value for %q cannot be written to an INI file", key)
		}
		s.lines = slices.Replace(s.lines, i, s.span(i), nl)
		return nil
	}
	indent, sep := "", " = "
	at := 1
	for i, l := range s.lines {
		if l.kind == lineKV || l.kind == lineCont {
			at = i + 1
			if l.kind == lineKV {
				indent = l.text[:l.indent]
				if l.value != "" {
					sep = l.sep
				}
			}
		}
	}
	for at < len(s.lines) && s.lines[at].kind == lineComment {
		at++
	}
	if key != iniAddedKey {
		if i := s.find(iniAddedKey); i >= 0 && s.span(i) == lastKV(s)+1 {
			at = i
		}
	}
	text := indent + key + sep + value
	if value == "" {
		text = strings.TrimRight(text, " \t")
	}
	nl, _ := classify(text+d.eol, -1)
	if nl == nil || nl.kind != lineKV || nl.key != key || nl.value != value {
		return fmt.Errorf("value for %q cannot be written to an INI file", key)
	}
	d.terminate(s, at)
	s.lines = slices.Insert(s.lines, at, nl)
	return nil
}

// lastKV returns the index of the last key or continuation line of s, -1
// if there is none.
func lastKV(s *iniSection) int {
	last := -1
	for i, l := range s.lines {
		if l.kind == lineKV || l.kind == lineCont {
			last = i
		}
	}
	return last
}

// terminate makes sure the line before position at (in file order) ends
// with a line break, for a file whose last line has none.
func (d *iniDoc) terminate(s *iniSection, at int) {
	var prev *iniLine
	if at > 0 {
		prev = s.lines[at-1]
	}
	if prev != nil && !strings.HasSuffix(prev.text, "\n") {
		prev.text += d.eol
	}
}

func validINIKey(key string) error {
	if key == "" || strings.ContainsAny(key, "=:[]#; \t\r\n") {
		return fmt.Errorf("invalid key name %q", key)
	}
	return nil
}

// addSection appends a new section at the end of the file, separated from
// what precedes it by one blank line.
func (d *iniDoc) addSection(name string) *iniSection {
	all := d.all()
	var last *iniSection
	for _, s := range all {
		if len(s.lines) > 0 {
			last = s
		}
	}
	if last != nil {
		tail := last.lines[len(last.lines)-1]
		if !strings.HasSuffix(tail.text, "\n") {
			tail.text += d.eol
		}
		if tail.kind != lineBlank {
			last.lines = append(last.lines, &iniLine{text: d.eol, kind: lineBlank})
		}
	}
	s := &iniSection{name: name, lines: []*iniLine{{text: "[" + name + "]" + d.eol, kind: lineHeader, key: name}}}
	d.sections = append(d.sections, s)
	return s
}

// removeSection drops a section; if it was the last one, blank lines left
// trailing at the end of the file go too, so adding and then removing a
// section restores the original bytes.
func (d *iniDoc) removeSection(s *iniSection) {
	i := slices.Index(d.sections, s)
	if i < 0 {
		return
	}
	d.sections = slices.Delete(d.sections, i, i+1)
	if i != len(d.sections) {
		return
	}
	last := d.preamble
	if len(d.sections) > 0 {
		last = d.sections[len(d.sections)-1]
	}
	for n := len(last.lines); n > 0 && last.lines[n-1].kind == lineBlank; n-- {
		last.lines = last.lines[:n-1]
	}
}

// added returns the cli_added list of s.
func added(s *iniSection) []string {
	v, _ := s.get(iniAddedKey)
	var out []string
	for k := range strings.SplitSeq(v, ",") {
		if k = strings.TrimSpace(k); k != "" {
			out = append(out, k)
		}
	}
	return out
}

func (d *iniDoc) setAdded(s *iniSection, keys []string) error {
	if len(keys) == 0 {
		s.delete(iniAddedKey)
		return nil
	}
	if v, ok := s.get(iniAddedKey); ok && v == strings.Join(keys, ",") {
		return nil
	}
	return d.setKey(s, iniAddedKey, strings.Join(keys, ","))
}

// backend implementation.

func (d *iniDoc) names() []string {
	var out []string
	for _, s := range d.sections {
		if n, ok := strings.CutPrefix(s.name, iniInstancePrefix); ok {
			out = append(out, n)
		}
	}
	return out
}

func (d *iniDoc) has(name string) bool { return d.section(iniInstancePrefix+name) != nil }

func (d *iniDoc) get(name, key string) (string, bool) {
	s := d.section(iniInstancePrefix + name)
	if s == nil {
		return "", false
	}
	return s.get(iniKeyName(key))
}

func (d *iniDoc) ensure(name string) error {
	if !d.has(name) {
		d.addSection(iniInstancePrefix + name)
	}
	return nil
}

func (d *iniDoc) set(name, key, value string) error {
	_ = d.ensure(name)
	s := d.section(iniInstancePrefix + name)
	k := iniKeyName(key)
	if err := d.setKey(s, k, value); err != nil {
		return err
	}
	keys := added(s)
	if !slices.Contains(keys, k) {
		keys = append(keys, k)
	}
	return d.setAdded(s, keys)
}

func (d *iniDoc) del(name, key string) {
	s := d.section(iniInstancePrefix + name)
	if s == nil {
		return
	}
	k := iniKeyName(key)
	if s.delete(k) {
		keys := slices.DeleteFunc(added(s), func(x string) bool { return x == k })
		_ = d.setAdded(s, keys) // only shrinks an existing valid line
	}
}

func (d *iniDoc) remove(name string, all bool) {
	s := d.section(iniInstancePrefix + name)
	if s == nil {
		return
	}
	if !all {
		for _, k := range added(s) {
			s.delete(k)
		}
		s.delete(iniAddedKey)
		if s.hasKeys() {
			return
		}
	}
	d.removeSection(s)
}

func (d *iniDoc) defaultName() string {
	if s := d.section(iniCLISection); s != nil {
		v, _ := s.get(iniDefaultKey)
		return v
	}
	return ""
}

func (d *iniDoc) setDefault(name string) error {
	s := d.section(iniCLISection)
	if name == "" {
		if s != nil && s.delete(iniDefaultKey) && !s.hasKeys() {
			d.removeSection(s)
		}
		return nil
	}
	if err := validName(name); err != nil {
		return err
	}
	if s == nil {
		s = d.addSection(iniCLISection)
	}
	return d.setKey(s, iniDefaultKey, name)
}
