package cmd

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/spf13/cobra"
)

// Command-line mistakes in the tool's own voice: one line that says what
// to do. cobra's own wording ("if any flags in the group [a b] are set
// none of the others can be…", "Did you mean this?" over several lines)
// is rewritten here, in one place.

// groupRunE is the RunE of the root and of commands that only group
// others: help without arguments; with one, a usage error (exit 2) that
// names the nearest commands. cobra suggests only at the root, and
// squashes its suggestion into a multi-line message.
func groupRunE(cmd *cobra.Command, args []string) error {
	if len(args) == 0 {
		return cmd.Help()
	}
	msg := fmt.Sprintf("unknown command %q for %q", args[0], cmd.CommandPath())
	if s := suggestCommands(cmd, args[0]); len(s) > 0 {
		msg += "; did you mean " + joinWords(s, "or") + "?"
	}
	return &usageError{msg: msg, helpFor: cmd.CommandPath()}
}

// suggestCommands names the subcommands of parent that look like typed
// (a typo, or a prefix), else the commands anywhere in the tree called
// typed ("rhodecode login" → "rhodecode auth login"), nearest first.
func suggestCommands(parent *cobra.Command, typed string) []string {
	parent.SuggestionsMinimumDistance = 2 // cobra's default, set only at the root
	var out []string
	for _, s := range parent.SuggestionsFor(typed) {
		out = append(out, parent.CommandPath()+" "+s)
	}
	if len(out) > 0 {
		return out
	}
	// Breadth-first, so the shortest path wins ("setup-git" over its
	// alias "auth setup-git").
	level := []*cobra.Command{parent.Root()}
	for len(level) > 0 && len(out) == 0 {
		var next []*cobra.Command
		for _, c := range level {
			for _, sub := range c.Commands() {
				if !sub.IsAvailableCommand() {
					continue
				}
				if strings.EqualFold(sub.Name(), typed) || sub.HasAlias(typed) {
					out = append(out, sub.CommandPath())
				}
				next = append(next, sub)
			}
		}
		level = next
	}
	return out
}

var (
	reExclusive   = regexp.MustCompile(`^if any flags in the group \[([^\]]*)\] are set none of the others can be; \[([^\]]*)\] were all set`)
	reOneRequired = regexp.MustCompile(`^at least one of the flags in the group \[([^\]]*)\] is required`)
	reTogether    = regexp.MustCompile(`^if any flags in the group \[([^\]]*)\] are set they must all be set; missing \[([^\]]*)\]`)
	reRequired    = regexp.MustCompile(`^required flag\(s\) (.*) not set`)
)

// cobraUsageMessage rewrites one of cobra's messages for a command-line
// mistake; ok is false for any other error.
func cobraUsageMessage(msg string) (string, bool) {
	if m := reExclusive.FindStringSubmatch(msg); m != nil {
		set := strings.Fields(m[2])
		var both []string // in the order the command declares them
		for _, f := range strings.Fields(m[1]) {
			for _, s := range set {
				if s == f {
					both = append(both, f)
				}
			}
		}
		return fmt.Sprintf("%s cannot be used together; give only one of them", joinWords(dashed(both), "and")), true
	}
	if m := reOneRequired.FindStringSubmatch(msg); m != nil {
		return fmt.Sprintf("give %s", joinWords(dashed(strings.Fields(m[1])), "or")), true
	}
	if m := reTogether.FindStringSubmatch(msg); m != nil {
		return fmt.Sprintf("%s go together; add %s", joinWords(dashed(strings.Fields(m[1])), "and"), joinWords(dashed(strings.Fields(m[2])), "and")), true
	}
	if m := reRequired.FindStringSubmatch(msg); m != nil {
		var names []string
		for _, q := range strings.Split(m[1], ", ") {
			names = append(names, strings.Trim(q, `"`))
		}
		verb := "is"
		if len(names) > 1 {
			verb = "are"
		}
		return fmt.Sprintf("%s %s required", joinWords(dashed(names), "and"), verb), true
	}
	if strings.HasPrefix(msg, "unknown command") {
		// Only the root's legacy check words it so; keep the first line.
		first, _, _ := strings.Cut(msg, "\n")
		return first, true
	}
	return "", false
}

func dashed(names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = "--" + n
	}
	return out
}

// joinWords joins "a", "b", "c" as "a, b or c".
func joinWords(words []string, conj string) string {
	if len(words) <= 1 {
		return strings.Join(words, "")
	}
	return strings.Join(words[:len(words)-1], ", ") + " " + conj + " " + words[len(words)-1]
}

// checkHelpTopics makes `rhodecode help <command>` with a mistyped command
// a usage error like the command itself would be, instead of cobra's
// "Unknown help topic" and the root's help with exit 0.
func checkHelpTopics(root *cobra.Command) {
	root.InitDefaultHelpCmd()
	for _, c := range root.Commands() {
		if c.Name() != "help" || c.Run == nil {
			continue
		}
		show := c.Run
		c.Run = nil
		c.RunE = func(cmd *cobra.Command, args []string) error {
			found, rest, err := cmd.Root().Find(args)
			if err == nil && found != nil && len(rest) > 0 {
				return groupRunE(found, rest)
			}
			show(cmd, args)
			return nil
		}
	}
}
