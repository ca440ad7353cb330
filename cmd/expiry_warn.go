package cmd

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/rhodecode-cli/rhodecode/internal/atomicfile"
	"github.com/rhodecode-cli/rhodecode/internal/resolve"
	"github.com/rhodecode-cli/rhodecode/rhoderc"
	"github.com/spf13/cobra"
)

// warnWithin is how soon before its expiry a token the command uses gets
// the once-a-day warning.
const warnWithin = 7 * 24 * time.Hour

// noExpiryWarning are the commands that never warn: the credential helper
// (git shows its stderr, and it must stay fast), what prints for shells or
// about the binary, and the commands that show expiry themselves or are
// about to replace or drop the token anyway.
var noExpiryWarning = map[string]bool{
	"rhodecode":                   true,
	"rhodecode credential-helper": true,
	"rhodecode completion":        true,
	"rhodecode help":              true,
	"rhodecode version":           true,
	"rhodecode doctor":            true,
	"rhodecode auth status":       true,
	"rhodecode auth login":        true,
	"rhodecode auth logout":       true,
}

// warnExpiring prints, on a terminal, at most once a day per instance, one
// line on stderr when a token the command's instance uses expires within
// 7 days (or has expired). It reads only the config file, and the state
// file when there is something to say; every failure is silent, as a
// warning must never break the command it follows.
func warnExpiring(f *Factory, g *globalOptions, cmd *cobra.Command) {
	if !f.IO.IsStderrTTY() || cmd == nil || skipExpiryWarning(cmd) {
		return
	}
	// No permission warning here: the command has given it already.
	cfg := rhoderc.Source{Flag: g.Config, Getenv: f.Getenv, Home: f.HomeDir}
	t, err := resolve.Instance(g.Instance, f.Getenv, cfg.Load)
	if err != nil || t.Env {
		return
	}
	now := f.Now()
	var parts []string
	for _, tok := range usedTokens(t.Instance) {
		if tok.expiresWithin(now, warnWithin) {
			parts = append(parts, "its "+tok.Kind+" "+tok.describe(now)+" (renew: "+tok.renewCommand(now)+")")
		}
	}
	if len(parts) == 0 {
		return
	}
	path := expiryStatePath(f)
	if path == "" {
		return
	}
	today := now.Format(time.DateOnly)
	warned := readWarned(path, today)
	if warned[t.Instance.Name] {
		return
	}
	termPrintf(f.IO.ErrOut, "rhodecode: warning: instance %s: %s\n", t.Instance.Name, strings.Join(parts, "; "))
	warned[t.Instance.Name] = true
	writeWarned(path, today, warned)
}

func skipExpiryWarning(cmd *cobra.Command) bool {
	if help, _ := cmd.Flags().GetBool("help"); help || cmd.HasSubCommands() {
		return true // help, or a group's list of commands
	}
	for c := cmd; c != nil; c = c.Parent() {
		if noExpiryWarning[c.CommandPath()] && (c == cmd || c.Name() == "credential-helper") {
			return true
		}
		if strings.HasPrefix(c.Name(), "__complete") {
			return true
		}
	}
	return false
}

// expiryStatePath is where the "already warned today" state lives, where
// the XDG base directory spec puts state: $XDG_STATE_HOME/rhodecode/,
// by default ~/.local/state/rhodecode/. "" when there is no home.
func expiryStatePath(f *Factory) string {
	dir := f.Getenv("XDG_STATE_HOME")
	if !filepath.IsAbs(dir) {
		// The spec says to ignore a relative value.
		home, err := f.HomeDir()
		if err != nil || home == "" {
			return ""
		}
		dir = filepath.Join(home, ".local", "state")
	}
	return filepath.Join(dir, "rhodecode", "expiry-warned.json")
}

// warnedState is the state file: the day and the instances warned on it.
// Older days are dropped, so the file never grows.
type warnedState struct {
	Day       string   `json:"day"`
	Instances []string `json:"instances"`
}

func readWarned(path, today string) map[string]bool {
	out := map[string]bool{}
	b, err := os.ReadFile(path)
	if err != nil || len(b) > 64<<10 {
		return out
	}
	var s warnedState
	if json.Unmarshal(b, &s) != nil || s.Day != today {
		return out
	}
	for _, n := range s.Instances {
		out[n] = true
	}
	return out
}

// writeWarned replaces the state file atomically (a temporary file renamed
// over it), so a crash or a concurrent command never leaves half a file.
func writeWarned(path, today string, warned map[string]bool) {
	s := warnedState{Day: today}
	for n := range warned {
		s.Instances = append(s.Instances, n)
	}
	b, err := json.Marshal(s)
	if err != nil {
		return
	}
	_ = atomicfile.Write(path, append(b, '\n'), 0o600) // a warning more tomorrow at worst
}
