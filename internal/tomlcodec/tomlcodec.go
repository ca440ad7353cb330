// Package tomlcodec is the TOML library (BurntSushi/toml) in the shape
// rhoderc asks for (rhoderc.TOMLLibrary): decoding the config files
// rhoderc's own quick reader leaves alone, and encoding every TOML write.
// It is the library's only importer, and rhoderc does not import it: the
// rhodecode command installs it (rhoderc.UseTOMLLibrary), while the small
// git-credential-rhodecode binary links no TOML library at all, whose
// package initialisation (it reads the local time zone) is a measurable
// part of a helper git starts for every fetch and push.
package tomlcodec

import (
	"bytes"
	"errors"
	"fmt"
	"strings"

	"github.com/BurntSushi/toml"
)

// Library implements rhoderc.TOMLLibrary.
type Library struct{}

// Decode decodes data into plain values (tables are map[string]any) and
// lists every key path in file order. For a syntax error it returns the
// line people see (1-based; 0 if unknown) and a message that quotes
// nothing from data: a broken line may hold a token.
func (Library) Decode(data []byte) (map[string]any, [][]string, int, error) {
	v := map[string]any{}
	md, err := toml.Decode(string(data), &v)
	if err != nil {
		var pe toml.ParseError
		if errors.As(err, &pe) {
			// The lexer counts a newline that ends a bad line as the start
			// of the next one; the byte offset names the line people see.
			line := pe.Position.Line
			if st := pe.Position.Start; st > 0 && st <= len(data) {
				line = bytes.Count(data[:st], []byte("\n")) + 1
			}
			return nil, nil, line, errors.New(hideQuoted(pe.Message))
		}
		return nil, nil, 0, err
	}
	var keys [][]string
	for _, k := range md.Keys() {
		keys = append(keys, []string(k))
	}
	return v, keys, 0, nil
}

// Encode encodes v with sorted keys, no indentation and no leading blank
// line.
func (Library) Encode(v map[string]any) ([]byte, error) {
	var b bytes.Buffer
	enc := toml.NewEncoder(&b)
	enc.Indent = ""
	if err := enc.Encode(v); err != nil {
		return nil, fmt.Errorf("rendering TOML: %w", err)
	}
	return bytes.TrimLeft(b.Bytes(), "\n"), nil
}

// hideQuoted replaces the "…"-quoted parts of a parser message: they are
// text from the file. The line number says where to look.
func hideQuoted(msg string) string {
	var b strings.Builder
	for {
		i := strings.IndexByte(msg, '"')
		if i < 0 {
			break
		}
		j := strings.IndexByte(msg[i+1:], '"')
		if j < 0 {
			break
		}
		b.WriteString(msg[:i])
		b.WriteString(`"…"`)
		msg = msg[i+1+j+1:]
	}
	b.WriteString(msg)
	return b.String()
}
