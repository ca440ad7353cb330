package cmd

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"
)

// lifetimeUnits are the unit words a lifetime may end with ("30d",
// "4w", "3 weeks"); Go durations ("90m", "1h30m") are read as well.
var lifetimeUnits = map[string]time.Duration{
	"m": time.Minute, "min": time.Minute, "mins": time.Minute, "minute": time.Minute, "minutes": time.Minute,
	"h": time.Hour, "hour": time.Hour, "hours": time.Hour,
	"d": 24 * time.Hour, "day": 24 * time.Hour, "days": 24 * time.Hour,
	"w": 7 * 24 * time.Hour, "week": 7 * 24 * time.Hour, "weeks": 7 * 24 * time.Hour,
}

var reCountUnit = regexp.MustCompile(`^(\d+)\s*([a-z]+)$`)

const lifetimeWant = "want forever, a duration like 90m or 1h, days like 30d or weeks like 4w"

// parseLifetime turns "forever", a Go duration ("90m", "1h"), days
// ("30d") or weeks ("4w", "3 weeks") into the minutes RhodeCode expects;
// -1 means forever.
func parseLifetime(s string) (int, error) {
	s = strings.TrimSpace(strings.ToLower(s))
	if s == "" || s == "forever" || s == "never" {
		return -1, nil
	}
	var d time.Duration
	if m := reCountUnit.FindStringSubmatch(s); m != nil && lifetimeUnits[m[2]] != 0 {
		n, err := strconv.ParseInt(m[1], 10, 32)
		if err != nil || n <= 0 {
			return 0, fmt.Errorf("invalid lifetime %q: %s", s, lifetimeWant)
		}
		if n*int64(lifetimeUnits[m[2]]/time.Minute) > math.MaxInt32 {
			return 0, fmt.Errorf("lifetime %q is too long; use forever", s)
		}
		d = time.Duration(n) * lifetimeUnits[m[2]]
	} else {
		var err error
		if d, err = time.ParseDuration(s); err != nil {
			if _, numErr := strconv.Atoi(s); numErr == nil {
				return 0, fmt.Errorf("lifetime %q has no unit: write %sd for days, or %sw for weeks", s, s, s)
			}
			return 0, fmt.Errorf("invalid lifetime %q: %s", s, lifetimeWant)
		}
	}
	if d < time.Minute {
		return 0, fmt.Errorf("lifetime %q is shorter than a minute, the smallest unit RhodeCode stores", s)
	}
	if d.Minutes() > math.MaxInt32 {
		return 0, fmt.Errorf("lifetime %q is too long; use forever", s)
	}
	return int(d / time.Minute), nil
}

// lifetimeArgs wraps a command's argument check: "--lifetime 3 weeks"
// leaves "weeks" as an argument, which deserves more than "unexpected
// argument".
func lifetimeArgs(lifetime *string, next cobra.PositionalArgs) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if _, err := strconv.Atoi(strings.TrimSpace(*lifetime)); err == nil {
			for _, a := range args {
				if lifetimeUnits[strings.ToLower(a)] != 0 {
					return usageErrorf("--lifetime %s %s is two words; quote it (--lifetime \"%s %s\") or write %s%s",
						*lifetime, a, *lifetime, a, *lifetime, a[:1])
				}
			}
		}
		return next(cmd, args)
	}
}
