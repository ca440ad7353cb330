package cmd

import (
	"strings"
	"testing"
	"time"
)

func TestParseLifetime(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int
		err  bool
	}{
		{"forever", -1, false},
		{"", -1, false},
		{"5m", 5, false},
		{"1h", 60, false},
		{"1d", 1440, false},
		{"30d", 43200, false},
		{"90m", 90, false},
		{"1h30m", 90, false},
		{"30s", 0, true},
		{"0d", 0, true},
		{"-1h", 0, true},
		{"soon", 0, true},
		{"10000000d", 0, true},
		{"4w", 40320, false},
		{"1W", 10080, false},
		{"3 weeks", 30240, false},
		{"1 week", 10080, false},
		{"2 days", 2880, false},
		{"90 minutes", 90, false},
		{"0w", 0, true},
		{"3", 0, true},
		{"3 fortnights", 0, true},
		{"300000w", 0, true},
	} {
		got, err := parseLifetime(tc.in)
		if (err != nil) != tc.err || (!tc.err && got != tc.want) {
			t.Errorf("parseLifetime(%q) = %d, %v; want %d, err %v", tc.in, got, err, tc.want, tc.err)
		}
	}
}

func TestRelativeExpiry(t *testing.T) {
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	at := func(d time.Duration) *time.Time { x := now.Add(d); return &x }
	for _, tc := range []struct {
		exp  *time.Time
		want string
	}{
		{nil, "never"},
		{at(29*24*time.Hour + time.Hour), "in 29 days"},
		{at(-3*24*time.Hour - time.Minute), "expired 3 days ago"},
		{at(30 * time.Second), "in less than a minute"},
		{at(5 * time.Minute), "in 5 minutes"},
		{at(time.Hour), "in 1 hour"},
		{at(30*24*time.Hour - time.Second), "in 30 days"},
		{at(90 * 24 * time.Hour), "in 3 months"},
		{at(-800 * 24 * time.Hour), "expired 2 years ago"},
	} {
		if got := relativeExpiry(tc.exp, now); got != tc.want {
			t.Errorf("relativeExpiry(%v) = %q, want %q", tc.exp, got, tc.want)
		}
	}
}

func TestMinutesUntil(t *testing.T) {
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	if m, err := minutesUntil("2026-12-01", now); err != nil || m != 12*60 {
		t.Errorf("got %d, %v", m, err)
	}
	if _, err := minutesUntil("2026-11-30", now); err == nil {
		t.Error("past date accepted")
	}
	if _, err := minutesUntil("01/12/2026", now); err == nil {
		t.Error("bad format accepted")
	}
}

func TestSanitize(t *testing.T) {
	for in, want := range map[string]string{
		"plain":                 "plain",
		"red \x1b[31mtext":      "red [31mtext",
		"two\nlines\r":          "two lines ",
		"tab\tkept":             "tab\tkept",
		"c1 \u009b31m and \x7f": "c1 31m and ",
		"ünïcödé ok":            "ünïcödé ok",
	} {
		if got := sanitize(in); got != want {
			t.Errorf("sanitize(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestNormalizeURLHidesPasswords(t *testing.T) {
	for _, raw := range []string{"https://alice:hunter2pw@h:99x/", "ftp://bob:hunter2pw@host", "https://x:hunter2pw@"} {
		_, err := normalizeURL(raw)
		if err == nil || strings.Contains(err.Error(), "hunter2pw") {
			t.Errorf("normalizeURL(%q) error %v", raw, err)
		}
	}
}
