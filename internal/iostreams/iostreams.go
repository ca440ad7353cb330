// Package iostreams bundles the process's standard streams with the facts
// about the terminal that decide how output looks and whether the tool may
// prompt. Commands write only through it, so tests can swap in buffers.
package iostreams

import (
	"bufio"
	"bytes"
	"context"
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

// ErrNoInput is wrapped by the error of a prompt whose input ended before
// an answer was given.
var ErrNoInput = errors.New("standard input ended")

func (s *IOStreams) reader() *bufio.Reader {
	if s.lines == nil {
		s.lines = bufio.NewReader(s.In)
	}
	return s.lines
}

// Prompts are cancellable: ctx ends them at once, whatever the read is
// doing. On a terminal, Ctrl-C makes the tty driver send SIGINT (and drop
// the half-typed line); main's signal.NotifyContext turns that into a
// cancelled ctx, and the prompt returns ctx's error (exit 130). The read
// itself runs in a goroutine because a read(2) of a terminal cannot be
// interrupted portably; it is abandoned, and the streams refuse to read
// again, as the command is ending. Reading the line ourselves in raw mode
// would have meant rewriting the driver's line editing (erase, kill word,
// paste) for no gain.

// Prompt prints prompt on stderr and reads one line from stdin. The end of
// input before an answer is an error wrapping ErrNoInput.
func (s *IOStreams) Prompt(ctx context.Context, prompt string) (string, error) {
	fmt.Fprint(s.ErrOut, prompt)
	line, err := s.await(ctx, nil, func() (string, error) {
		return s.reader().ReadString('\n')
	})
	if err != nil && (line == "" || !errors.Is(err, io.EOF)) {
		if errors.Is(err, io.EOF) {
			return "", noAnswer(prompt)
		}
		return "", fmt.Errorf("reading answer: %w", err)
	}
	return strings.TrimSpace(line), nil
}

// PromptSecret prints prompt on stderr and reads one line without echo when
// stdin is a real terminal. The answer is never echoed or logged. Ctrl-C
// (or the end of ctx) ends it with an error matching context.Canceled,
// Ctrl-D on an empty line with one wrapping ErrNoInput; either way the
// terminal has its modes back first.
func (s *IOStreams) PromptSecret(ctx context.Context, prompt string) (string, error) {
	if s.inFd < 0 {
		return s.Prompt(ctx, prompt)
	}
	// Raw mode, not x/term's ReadPassword: that one spins forever on
	// Ctrl-D (its reader takes a 0-byte read for "try again"), and in raw
	// mode Ctrl-C arrives as a byte, so it needs no signal to be seen.
	state, err := term.MakeRaw(s.inFd)
	if err != nil {
		return "", fmt.Errorf("reading secret: %w", err)
	}
	restore := func() { _ = term.Restore(s.inFd, state) }
	fmt.Fprint(s.ErrOut, prompt)
	pw, err := s.await(ctx, restore, s.readSecretLine)
	restore() // again after a cancel: await may have returned before reading
	if cerr := ctx.Err(); cerr != nil && errors.Is(err, cerr) {
		return "", err // await has ended the line
	}
	fmt.Fprintln(s.ErrOut) // the Enter that was not echoed
	switch {
	case errors.Is(err, io.EOF):
		return "", noAnswer(prompt)
	case err != nil:
		return "", err
	}
	return strings.TrimSpace(pw), nil
}

// readSecretLine reads a line typed in raw mode, doing the little line
// editing a hidden answer needs: erase (Backspace) and kill (Ctrl-U).
func (s *IOStreams) readSecretLine() (string, error) {
	r := s.reader()
	var line []byte
	for {
		b, err := r.ReadByte()
		if err != nil {
			if errors.Is(err, io.EOF) && len(line) > 0 {
				return string(line), nil
			}
			if errors.Is(err, io.EOF) {
				return "", io.EOF
			}
			return "", fmt.Errorf("reading secret: %w", err)
		}
		switch b {
		case '\r', '\n':
			if b == '\r' && r.Buffered() > 0 {
				if next, _ := r.Peek(1); next[0] == '\n' {
					_, _ = r.ReadByte() // a pasted CRLF is one Enter
				}
			}
			return string(line), nil
		case 0x03: // Ctrl-C
			return "", fmt.Errorf("reading secret: %w", context.Canceled)
		case 0x04: // Ctrl-D
			if len(line) == 0 {
				return "", io.EOF
			}
		case 0x7f, '\b': // Backspace: drop the last character, not byte
			for len(line) > 0 {
				c := line[len(line)-1]
				line = line[:len(line)-1]
				if c&0xc0 != 0x80 {
					break
				}
			}
		case 0x15: // Ctrl-U
			line = line[:0]
		default:
			line = append(line, b)
		}
	}
}

// Confirm asks a yes/no question; anything but y/yes is no, but the end of
// input is an error, not a no.
func (s *IOStreams) Confirm(ctx context.Context, question string) (bool, error) {
	ans, err := s.Prompt(ctx, question+" [y/N] ")
	if err != nil {
		return false, err
	}
	ans = strings.ToLower(ans)
	return ans == "y" || ans == "yes", nil
}

// noAnswer is the error of a prompt whose input ended (Ctrl-D, or a pipe
// that ran dry).
func noAnswer(prompt string) error {
	q := strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(prompt), "[y/N]"))
	return fmt.Errorf("%w before %q was answered; nothing was changed", ErrNoInput, strings.TrimRight(q, ":?"))
}

// await runs read and returns what it returns, or ctx's error as soon as
// ctx ends; onCancel then puts the terminal back. Once a read has been
// abandoned, no other read may start: it would race with that one.
func (s *IOStreams) await(ctx context.Context, onCancel func(), read func() (string, error)) (string, error) {
	if s.abandoned != nil {
		return "", s.abandoned
	}
	if err := ctx.Err(); err != nil {
		fmt.Fprintln(s.ErrOut)
		return "", err
	}
	type answer struct {
		line string
		err  error
	}
	done := make(chan answer, 1)
	go func() {
		line, err := read()
		done <- answer{line, err}
	}()
	select {
	case a := <-done:
		return a.line, a.err
	case <-ctx.Done():
		if onCancel != nil {
			onCancel()
		}
		fmt.Fprintln(s.ErrOut) // the error goes below the prompt, not after it
		s.abandoned = ctx.Err()
		return "", ctx.Err()
	}
}

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
