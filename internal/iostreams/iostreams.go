// Package iostreams bundles the process's standard streams with the facts
// about the terminal that decide how output looks and whether the tool may
// prompt. Commands write only through it, so tests can swap in buffers.
package iostreams

import (
	"bufio"
	"bytes"
	"fmt"
	"github.com/rhodecode-cli/rhodecode/internal/termtext"
	"io"
	"os"

	"golang.org/x/term"
)

// IOStreams is what a command reads from and writes to.
type IOStreams struct {
	// In is standard input. Prompt and ReadAllIn read it through one
	// shared buffer, so that several of them can follow each other.
	In io.Reader
	// Out is standard output: data only, what scripts capture.
	Out io.Writer
	// ErrOut is standard error: prompts, progress, warnings and errors.
	ErrOut io.Writer

	inTTY, outTTY, errTTY bool
	neverPrompt           bool
	colorEnabled          bool

	// inFd is the terminal file descriptor used for masked input, or -1.
	inFd int
	// lines buffers In so that several prompts can read one line each.
	lines *bufio.Reader
	// abandoned is the error of a prompt whose read was left running when
	// its context ended; once set, nothing reads In any more.
	abandoned error
}

// System returns streams bound to the process's stdin, stdout and stderr.
// getenv decides colour (NO_COLOR, CLICOLOR, CLICOLOR_FORCE).
func System(getenv func(string) string) *IOStreams {
	s := &IOStreams{
		In:     os.Stdin,
		Out:    os.Stdout,
		ErrOut: os.Stderr,
		inTTY:  term.IsTerminal(int(os.Stdin.Fd())),
		outTTY: term.IsTerminal(int(os.Stdout.Fd())),
		errTTY: term.IsTerminal(int(os.Stderr.Fd())),
		inFd:   -1,
	}
	if s.inTTY {
		s.inFd = int(os.Stdin.Fd())
	}
	s.colorEnabled = colorFromEnv(getenv, s.errTTY)
	return s
}

// colorFromEnv follows the NO_COLOR / CLICOLOR conventions gh uses.
func colorFromEnv(getenv func(string) string, tty bool) bool {
	if getenv("NO_COLOR") != "" {
		return false
	}
	if v := getenv("CLICOLOR_FORCE"); v != "" && v != "0" {
		return true
	}
	if getenv("CLICOLOR") == "0" || getenv("TERM") == "dumb" {
		return false
	}
	return tty
}

// Test returns streams backed by buffers, with every TTY flag off.
func Test() (s *IOStreams, in *bytes.Buffer, out *bytes.Buffer, errOut *bytes.Buffer) {
	in, out, errOut = &bytes.Buffer{}, &bytes.Buffer{}, &bytes.Buffer{}
	return &IOStreams{In: in, Out: out, ErrOut: errOut, inFd: -1}, in, out, errOut
}

// IsStdinTTY reports whether stdin is a terminal.
func (s *IOStreams) IsStdinTTY() bool { return s.inTTY }

// IsStdoutTTY reports whether stdout is a terminal.
func (s *IOStreams) IsStdoutTTY() bool { return s.outTTY }

// IsStderrTTY reports whether stderr is a terminal.
func (s *IOStreams) IsStderrTTY() bool { return s.errTTY }

// SetStdinTTY overrides terminal detection for stdin (tests).
func (s *IOStreams) SetStdinTTY(v bool) { s.inTTY = v }

// SetStdoutTTY overrides terminal detection for stdout (tests).
func (s *IOStreams) SetStdoutTTY(v bool) { s.outTTY = v }

// SetStderrTTY overrides terminal detection for stderr (tests).
func (s *IOStreams) SetStderrTTY(v bool) { s.errTTY = v }

// SetNeverPrompt forbids prompting (--no-input).
func (s *IOStreams) SetNeverPrompt(v bool) { s.neverPrompt = v }

// CanPrompt reports whether the tool may ask the user something: stdin and
// stderr are terminals and --no-input was not given.
func (s *IOStreams) CanPrompt() bool { return !s.neverPrompt && s.inTTY && s.errTTY }

// ColorEnabled reports whether decorations on stderr may use colour.
func (s *IOStreams) ColorEnabled() bool { return s.colorEnabled }

// ReadAllIn reads stdin to the end, capped at limit bytes so a runaway pipe
// cannot exhaust memory.
func (s *IOStreams) ReadAllIn(limit int64) ([]byte, error) {
	if s.abandoned != nil {
		return nil, s.abandoned
	}
	b, err := io.ReadAll(io.LimitReader(s.reader(), limit+1))
	if err != nil {
		return nil, fmt.Errorf("reading stdin: %w", err)
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("stdin is larger than %d bytes", limit)
	}
	return b, nil
}

// SuccessIcon returns a check mark, green when colour is on.
func (s *IOStreams) SuccessIcon() termtext.Styled { return s.paint("32", "✓") }

// WarningIcon returns an exclamation mark, yellow when colour is on.
func (s *IOStreams) WarningIcon() termtext.Styled { return s.paint("33", "!") }

// FailureIcon returns a cross, red when colour is on.
func (s *IOStreams) FailureIcon() termtext.Styled { return s.paint("31", "X") }

func (s *IOStreams) paint(code, text string) termtext.Styled {
	if !s.colorEnabled {
		return termtext.Styled(text)
	}
	return termtext.Styled("\x1b[" + code + "m" + text + "\x1b[0m")
}
