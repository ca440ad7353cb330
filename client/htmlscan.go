package client

import (
	"bytes"
	"errors"
	"io"

	"golang.org/x/net/html"
)

// tokenSource is what the page parsers read: x/net/html's Tokenizer, or
// pageScanner for the pages it can read.
type tokenSource interface {
	Next() html.TokenType
	Err() error
	Raw() []byte
	Text() []byte
	TagAttr() (key, val []byte, moreAttr bool)
}

var _ tokenSource = (*html.Tokenizer)(nil)

// errScanFallback: the page has something pageScanner leaves to
// x/net/html's Tokenizer.
var errScanFallback = errors.New("page needs the full tokenizer")

// pageScanner tokenizes a page held in memory the way x/net/html's
// Tokenizer does, returning slices of the page instead of copies: that
// Tokenizer allocates for every attribute of every tag (a copy of its
// name, to drop duplicates) and for every TagAttr and Text call (a copy
// to replace NULs), about 100 allocations per row of the token table. It
// follows the Tokenizer's algorithm (WHATWG tokenization) for text, tags
// and their attributes, comments and raw-text elements; for what it does
// not (NUL or CR anywhere, script escapes "<!--", "</" not followed by a
// letter, odd comments, <plaintext>, a page ending inside a tag, an
// entity in an attribute value a parser reads) it stops with
// errScanFallback and the caller parses the page with the Tokenizer. A
// fuzz test checks that both give the same tokens whenever it does not
// fall back.
type pageScanner struct {
	buf    []byte
	pos    int // next byte to read
	tt     html.TokenType
	raw    [2]int // the current token's bytes
	data   [2]int // text, or the tag name
	rawTag string // the raw-text element being read (script, style, ...)
	isRaw  bool   // Text is not unescaped (script, style, ...)
	attr   [][4]int
	nAttr  int // attributes TagAttr has returned
	err    error
}

// rawTags are the elements whose content is text up to their end tag.
var rawTags = []string{"iframe", "noembed", "noframes", "noscript", "plaintext", "script", "style", "textarea", "title", "xmp"}

func newPageScanner(page []byte) *pageScanner {
	s := &pageScanner{buf: page}
	if bytes.IndexByte(page, 0) >= 0 || bytes.IndexByte(page, '\r') >= 0 {
		s.err = errScanFallback
	}
	return s
}

func (s *pageScanner) Err() error  { return s.err }
func (s *pageScanner) Raw() []byte { return s.buf[s.raw[0]:s.raw[1]] }
func (s *pageScanner) fail() html.TokenType {
	s.err, s.tt = errScanFallback, html.ErrorToken
	return s.tt
}

// Text returns the text of a text token, entities unescaped outside
// raw-text elements.
func (s *pageScanner) Text() []byte {
	if s.tt != html.TextToken {
		return nil
	}
	t := s.buf[s.data[0]:s.data[1]]
	if !s.isRaw && bytes.IndexByte(t, '&') >= 0 {
		return []byte(html.UnescapeString(string(t)))
	}
	return t
}

// TagAttr returns the next attribute of a start tag, its key lower-cased.
func (s *pageScanner) TagAttr() (key, val []byte, moreAttr bool) {
	if s.nAttr >= len(s.attr) || s.tt != html.StartTagToken && s.tt != html.SelfClosingTagToken {
		return nil, nil, false
	}
	a := s.attr[s.nAttr]
	s.nAttr++
	key, val = s.buf[a[0]:a[1]], s.buf[a[2]:a[3]]
	for i, c := range key {
		if 'A' <= c && c <= 'Z' {
			key = asciiLower(key, i) // rare: a copy
			break
		}
	}
	if bytes.IndexByte(val, '&') >= 0 {
		if !plainEntities(val) {
			// Attribute values unescape by rules of their own (an entity
			// without ';' before '=' stays); leave those to the Tokenizer.
			s.err = errScanFallback
		}
		val = []byte(html.UnescapeString(string(val)))
	}
	return key, val, s.nAttr < len(s.attr)
}

// plainEntities reports whether every '&' in v starts one of the entities
// HTML escapers write (&amp; &lt; &gt; &quot; &#39; &#34;), which text and
// attribute values unescape alike.
func plainEntities(v []byte) bool {
	for {
		i := bytes.IndexByte(v, '&')
		if i < 0 {
			return true
		}
		v = v[i:]
		n := 0
		for _, e := range []string{"&amp;", "&lt;", "&gt;", "&quot;", "&#39;", "&#34;"} {
			if bytes.HasPrefix(v, []byte(e)) {
				n = len(e)
				break
			}
		}
		if n == 0 {
			return false
		}
		v = v[n:]
	}
}

func isSpace(c byte) bool { return c == ' ' || c == '\n' || c == '\t' || c == '\f' }

func isLetter(c byte) bool { return 'A' <= c&^0x20 && c&^0x20 <= 'Z' }

// Next reads the next token.
func (s *pageScanner) Next() html.TokenType {
	if s.err != nil {
		s.tt = html.ErrorToken
		return s.tt
	}
	s.raw[0], s.raw[1] = s.pos, s.pos
	s.data = s.raw
	s.attr, s.nAttr = s.attr[:0], 0
	if s.rawTag != "" {
		tag := s.rawTag
		s.rawTag = ""
		if tag == "plaintext" {
			return s.fail()
		}
		end, ok := s.rawEnd(tag)
		if !ok {
			return s.fail()
		}
		if end > s.pos {
			s.data = [2]int{s.pos, end}
			s.raw = s.data
			s.pos = end
			s.isRaw = tag != "textarea" && tag != "title"
			s.tt = html.TextToken
			return s.tt
		}
	}
	s.isRaw = false
	start := s.pos
	for {
		i := bytes.IndexByte(s.buf[s.pos:], '<')
		if i < 0 || s.pos+i+1 >= len(s.buf) {
			// Text to the end; a lone '<' at the very end is text too,
			// but leave that edge to the Tokenizer.
			if i >= 0 {
				return s.fail()
			}
			s.pos = len(s.buf)
			if s.pos > start {
				return s.text(start, s.pos)
			}
			s.err, s.tt = io.EOF, html.ErrorToken
			return s.tt
		}
		lt := s.pos + i
		c := s.buf[lt+1]
		if !isLetter(c) && c != '/' && c != '!' && c != '?' {
			s.pos = lt + 1 // '<' is text
			continue
		}
		if lt > start {
			s.pos = lt
			return s.text(start, lt)
		}
		s.pos = lt + 2
		switch {
		case isLetter(c):
			return s.startTag(lt)
		case c == '/':
			if s.pos >= len(s.buf) || !isLetter(s.buf[s.pos]) {
				return s.fail()
			}
			s.pos++
			if !s.tag(false) {
				return s.fail()
			}
			s.raw = [2]int{lt, s.pos}
			s.tt = html.EndTagToken
			return s.tt
		default:
			return s.comment(lt)
		}
	}
}

func (s *pageScanner) text(from, to int) html.TokenType {
	s.raw, s.data = [2]int{from, to}, [2]int{from, to}
	s.tt = html.TextToken
	return s.tt
}

// startTag reads "<name attrs>" after "<n".
func (s *pageScanner) startTag(lt int) html.TokenType {
	if !s.tag(true) {
		return s.fail()
	}
	s.raw = [2]int{lt, s.pos}
	name := s.buf[s.data[0]:s.data[1]]
	for _, t := range rawTags {
		if len(name) == len(t) && bytes.EqualFold(name, []byte(t)) {
			s.rawTag = t
			break
		}
	}
	n := len(s.attr)
	if s.buf[s.pos-2] == '/' && (n == 0 || s.pos-2 != s.attr[n-1][3]-1) {
		s.tt = html.SelfClosingTagToken
	} else {
		s.tt = html.StartTagToken
	}
	return s.tt
}

// tag reads a tag's name and attributes up to and including '>', after
// its first letter: the Tokenizer's readTag, readTagName, readTagAttrKey
// and readTagAttrVal. ok is false at the end of the page.
func (s *pageScanner) tag(save bool) bool {
	s.data[0] = s.pos - 1
	for s.pos < len(s.buf) && !isSpace(s.buf[s.pos]) && s.buf[s.pos] != '/' && s.buf[s.pos] != '>' {
		s.pos++
	}
	s.data[1] = s.pos
	s.skipSpace()
	for {
		if s.pos >= len(s.buf) {
			return false
		}
		if s.buf[s.pos] == '>' {
			s.pos++
			return true
		}
		var a [4]int
		// key
		a[0] = s.pos
		for ; s.pos < len(s.buf); s.pos++ {
			c := s.buf[s.pos]
			if c == '=' && s.pos == a[0] {
				continue
			}
			if c == '=' || isSpace(c) || c == '/' || c == '>' {
				break
			}
		}
		a[1] = s.pos
		if s.pos >= len(s.buf) {
			return false
		}
		// value
		a[2], a[3] = s.pos, s.pos
		s.skipSpace()
		if s.pos >= len(s.buf) {
			return false
		}
		switch c := s.buf[s.pos]; {
		case c == '/':
			s.pos++
		case c != '=':
		default:
			s.pos++
			s.skipSpace()
			if s.pos >= len(s.buf) {
				return false
			}
			switch q := s.buf[s.pos]; q {
			case '>':
			case '\'', '"':
				s.pos++
				j := bytes.IndexByte(s.buf[s.pos:], q)
				if j < 0 {
					return false
				}
				a[2], a[3] = s.pos, s.pos+j
				s.pos += j + 1
			default:
				a[2] = s.pos
				for s.pos < len(s.buf) && !isSpace(s.buf[s.pos]) && s.buf[s.pos] != '>' {
					s.pos++
				}
				if s.pos >= len(s.buf) {
					return false
				}
				a[3] = s.pos
			}
		}
		if save && a[1] > a[0] && !s.seen(a) {
			s.attr = append(s.attr, a)
		}
		s.skipSpace()
	}
}

// seen reports whether the tag already has an attribute a's key
// (case-insensitively): the Tokenizer keeps the first.
func (s *pageScanner) seen(a [4]int) bool {
	k := s.buf[a[0]:a[1]]
	for _, b := range s.attr {
		if bytes.EqualFold(s.buf[b[0]:b[1]], k) {
			return true
		}
	}
	return false
}

func (s *pageScanner) skipSpace() {
	for s.pos < len(s.buf) && isSpace(s.buf[s.pos]) {
		s.pos++
	}
}

// comment skips "<!-- ... -->", "<!DOCTYPE ...>" and "<?...>"; anything
// the Tokenizer reads by its finer rules falls back.
func (s *pageScanner) comment(lt int) html.TokenType {
	rest := s.buf[lt:]
	if bytes.HasPrefix(rest, []byte("<!--")) {
		body := rest[4:]
		end := bytes.Index(body, []byte("-->"))
		if end < 0 || bytes.HasPrefix(body, []byte(">")) || bytes.HasPrefix(body, []byte("->")) ||
			bytes.Contains(body[:end], []byte("--!")) || end > 0 && body[end-1] == '-' {
			return s.fail()
		}
		s.pos = lt + 4 + end + 3
		s.raw = [2]int{lt, s.pos}
		s.tt = html.CommentToken
		return s.tt
	}
	end := bytes.IndexByte(rest, '>')
	if end < 0 || bytes.HasPrefix(rest, []byte("<!-")) {
		return s.fail()
	}
	s.pos = lt + end + 1
	s.raw = [2]int{lt, s.pos}
	s.tt = html.CommentToken
	// Only "<!" opens a doctype; "<?DOCTYPE>" is a bogus comment.
	if len(rest) >= 9 && rest[1] == '!' && bytes.EqualFold(rest[2:9], []byte("doctype")) {
		s.tt = html.DoctypeToken
	}
	return s.tt
}

// rawEnd finds where the raw text of tag ends: at "</tag" followed by
// space, '/' or '>'. ok is false where the Tokenizer's script escapes
// could apply or the page ends first.
func (s *pageScanner) rawEnd(tag string) (int, bool) {
	for i := s.pos; ; {
		j := bytes.Index(s.buf[i:], []byte("</"))
		if j < 0 {
			return 0, false
		}
		at := i + j
		if tag == "script" && bytes.Contains(s.buf[s.pos:at], []byte("<!--")) {
			return 0, false
		}
		k := at + 2 + len(tag)
		if k < len(s.buf) && bytes.EqualFold(s.buf[at+2:k], []byte(tag)) {
			if c := s.buf[k]; isSpace(c) || c == '/' || c == '>' {
				return at, true
			}
		}
		i = at + 2
	}
}

// asciiLower returns b with A-Z lower-cased from index i on, as a copy
// (the Tokenizer lower-cases ASCII only).
func asciiLower(b []byte, i int) []byte {
	out := bytes.Clone(b)
	for ; i < len(out); i++ {
		if c := out[i]; 'A' <= c && c <= 'Z' {
			out[i] = c + 'a' - 'A'
		}
	}
	return out
}
