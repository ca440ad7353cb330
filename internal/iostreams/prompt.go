package iostreams

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"golang.org/x/term"
)

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
