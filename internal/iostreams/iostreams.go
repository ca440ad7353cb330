// Package iostreams bundles the process's standard streams with the facts
// about the terminal that decide how output looks and whether the tool may
// prompt. Commands write only through it, so tests can swap in buffers.
package iostreams

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

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

// ErrNoInput is returned when input ends before an answer was given.
var ErrNoInput = errors.New("no input")

func (s *IOStreams) reader() *bufio.Reader {
	if s.lines == nil {
		s.lines = bufio.NewReader(s.In)
	}
	return s.lines
}

// Prompt prints prompt on stderr and reads one line from stdin.
func (s *IOStreams) Prompt(prompt string) (string, error) {
	fmt.Fprint(s.ErrOut, prompt)
	line, err := s.reader().ReadString('\n')
	if err != nil && (line == "" || !errors.Is(err, io.EOF)) {
		if errors.Is(err, io.EOF) {
			return "", ErrNoInput
		}
		return "", fmt.Errorf("reading answer: %w", err)
	}
	return strings.TrimSpace(line), nil
}

// PromptSecret prints prompt on stderr and reads one line without echo when
// stdin is a real terminal. The answer is never echoed or logged.
func (s *IOStreams) PromptSecret(prompt string) (string, error) {
	if s.inFd < 0 {
		return s.Prompt(prompt)
	}
	fmt.Fprint(s.ErrOut, prompt)
	b, err := term.ReadPassword(s.inFd)
	fmt.Fprintln(s.ErrOut)
	if err != nil {
		return "", fmt.Errorf("reading secret: %w", err)
	}
	return strings.TrimSpace(string(b)), nil
}

// Confirm asks a yes/no question; anything but y/yes is no.
func (s *IOStreams) Confirm(question string) (bool, error) {
	ans, err := s.Prompt(question + " [y/N] ")
	if err != nil {
		return false, err
	}
	ans = strings.ToLower(ans)
	return ans == "y" || ans == "yes", nil
}

// ReadAllIn reads stdin to the end, capped at limit bytes so a runaway pipe
// cannot exhaust memory.
func (s *IOStreams) ReadAllIn(limit int64) ([]byte, error) {
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
func (s *IOStreams) SuccessIcon() string { return s.paint("32", "✓") }

// WarningIcon returns an exclamation mark, yellow when colour is on.
func (s *IOStreams) WarningIcon() string { return s.paint("33", "!") }

// FailureIcon returns a cross, red when colour is on.
func (s *IOStreams) FailureIcon() string { return s.paint("31", "X") }

func (s *IOStreams) paint(code, text string) string {
	if !s.colorEnabled {
		return text
	}
	return "\x1b[" + code + "m" + text + "\x1b[0m"
}
