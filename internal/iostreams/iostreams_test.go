package iostreams

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"time"
)

// The prompts on a real terminal (Ctrl-C, Ctrl-D, the modes restored) are
// tested end to end in cmd/prompt_pty_test.go; these are the rules that
// need no terminal.

func TestPromptReadsLines(t *testing.T) {
	s, in, _, errOut := Test()
	in.WriteString("  https://x  \ny\nlast")
	ctx := t.Context()
	if got, err := s.Prompt(ctx, "URL: "); err != nil || got != "https://x" {
		t.Fatalf("Prompt = %q, %v", got, err)
	}
	if ok, err := s.Confirm(ctx, "Sure?"); err != nil || !ok {
		t.Fatalf("Confirm = %v, %v", ok, err)
	}
	// A last line without its newline is still an answer.
	if got, err := s.PromptSecret(ctx, "Password: "); err != nil || got != "last" {
		t.Fatalf("PromptSecret = %q, %v", got, err)
	}
	if want := "URL: Sure? [y/N] Password: "; errOut.String() != want {
		t.Errorf("stderr %q, want %q", errOut, want)
	}
}

// TestEndOfInputIsNoAnswer: the end of input is an error that names the
// question, for every kind of prompt; it is never read as "no" or "".
func TestEndOfInputIsNoAnswer(t *testing.T) {
	for name, ask := range map[string]func(*IOStreams) error{
		"prompt":  func(s *IOStreams) error { _, err := s.Prompt(t.Context(), "RhodeCode URL: "); return err },
		"secret":  func(s *IOStreams) error { _, err := s.PromptSecret(t.Context(), "RhodeCode URL: "); return err },
		"confirm": func(s *IOStreams) error { _, err := s.Confirm(t.Context(), "RhodeCode URL?"); return err },
	} {
		t.Run(name, func(t *testing.T) {
			s, _, _, _ := Test()
			err := ask(s)
			if !errors.Is(err, ErrNoInput) || !strings.Contains(err.Error(), `before "RhodeCode URL" was answered`) {
				t.Fatalf("err = %v", err)
			}
		})
	}
}

// TestPromptCancelled: a prompt blocked in its read returns as soon as ctx
// ends, and nothing reads stdin after that (the abandoned read would race
// with it).
func TestPromptCancelled(t *testing.T) {
	pr, pw := io.Pipe()
	defer pw.Close()
	s, _, _, errOut := Test()
	s.In = pr
	ctx, cancel := context.WithCancel(t.Context())
	time.AfterFunc(50*time.Millisecond, cancel)
	start := time.Now()
	_, err := s.Prompt(ctx, "URL: ")
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("took %v", d)
	}
	if errOut.String() != "URL: \n" {
		t.Errorf("stderr %q: the error must start on a line of its own", errOut)
	}
	if _, err := s.Prompt(t.Context(), "again: "); !errors.Is(err, context.Canceled) {
		t.Errorf("second prompt: %v", err)
	}
	if _, err := s.ReadAllIn(10); !errors.Is(err, context.Canceled) {
		t.Errorf("ReadAllIn after an abandoned prompt: %v", err)
	}

	// A context that has already ended does not even start a read.
	s2, in2, _, _ := Test()
	in2.WriteString("answer\n")
	done, cancel2 := context.WithCancel(t.Context())
	cancel2()
	if _, err := s2.Confirm(done, "Sure?"); !errors.Is(err, context.Canceled) {
		t.Errorf("ended context: %v", err)
	}
}
