// Command alternate times commands the fair way on a shared machine: it
// runs them in turn, one call of each per round (the order rotating), so
// a load that comes and goes hits every row alike, and prints a markdown
// table of medians and ratios. bench/perf-table.sh drives it.
//
// Usage: alternate [-rounds N] [-warmup N] SPEC
//
// SPEC has one row per line, fields separated by tabs:
//
//	name  ref  stdin  expect  env  arg0  arg1 ...
//
// ref names the row the ratio is taken against ("-": none); stdin is a
// file ("-": /dev/null); expect is a line the output must contain, and
// then stderr must be empty ("-": no check but the exit status 0); env is
// space-separated VAR=VALUE added to alternate's own environment ("-":
// none); arg0 is an absolute path. Each row is checked once before it is
// timed, and a wrong answer stops the run.
package main

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strings"
	"time"
)

type row struct {
	name, ref, stdin, expect string
	env, argv                []string
	times                    []time.Duration
}

func main() {
	rounds := flag.Int("rounds", 300, "timed calls of each command")
	warmup := flag.Int("warmup", 20, "untimed calls of each command first")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: alternate [-rounds N] [-warmup N] SPEC")
		os.Exit(2)
	}
	rows, err := readSpec(flag.Arg(0))
	if err == nil {
		err = measure(rows, *warmup, *rounds)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "alternate:", err)
		os.Exit(1)
	}
	printTable(rows)
}

func readSpec(path string) ([]*row, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var rows []*row
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		if sc.Text() == "" {
			continue
		}
		f := strings.Split(sc.Text(), "\t")
		if len(f) < 6 {
			return nil, fmt.Errorf("spec line %q: want name, ref, stdin, expect, env, argv...", sc.Text())
		}
		r := &row{name: f[0], ref: f[1], stdin: f[2], expect: f[3], argv: f[5:]}
		if f[4] != "-" {
			r.env = strings.Fields(f[4])
		}
		rows = append(rows, r)
	}
	return rows, sc.Err()
}

// run starts the row's command once and returns its wall time: fork and
// exec through wait, stdin a file passed as is (no copying goroutine).
func (r *row) run(check bool) (time.Duration, error) {
	in := os.DevNull
	if r.stdin != "-" {
		in = r.stdin
	}
	f, err := os.Open(in)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	c := exec.Command(r.argv[0], r.argv[1:]...)
	c.Env = append(os.Environ(), r.env...)
	c.Stdin = f
	var out, errOut bytes.Buffer
	if check {
		c.Stdout, c.Stderr = &out, &errOut
	}
	t0 := time.Now()
	err = c.Run()
	d := time.Since(t0)
	if check {
		switch {
		case err != nil:
			return 0, fmt.Errorf("%s: %v: %s", r.name, err, strings.TrimSpace(errOut.String()))
		case r.expect != "-" && errOut.Len() > 0:
			return 0, fmt.Errorf("%s wrote to stderr: %s", r.name, strings.TrimSpace(errOut.String()))
		case r.expect != "-" && !slices.Contains(strings.Split(out.String(), "\n"), r.expect):
			return 0, fmt.Errorf("%s: no line %q in its output:\n%s", r.name, r.expect, out.String())
		}
	}
	return d, err
}

func measure(rows []*row, warmup, rounds int) error {
	for _, r := range rows {
		if _, err := r.run(true); err != nil {
			return err
		}
	}
	for i := range warmup + rounds {
		for j := range rows {
			r := rows[(i+j)%len(rows)] // rotate who goes first
			d, err := r.run(false)
			if err != nil {
				return fmt.Errorf("%s: %w", r.name, err)
			}
			if i >= warmup {
				r.times = append(r.times, d)
			}
		}
	}
	return nil
}

func quantile(ts []time.Duration, q float64) float64 {
	s := slices.Clone(ts)
	slices.Sort(s)
	return float64(s[int(q*float64(len(s)-1)+0.5)]) / 1e6
}

func printTable(rows []*row) {
	med := map[string]float64{}
	for _, r := range rows {
		med[r.name] = quantile(r.times, 0.5)
	}
	fmt.Println("| command | median ms | p10–p90 ms | ratio |")
	fmt.Println("|---|---:|---:|---|")
	for _, r := range rows {
		ratio := "–"
		if ref, ok := med[r.ref]; ok && r.ref != r.name {
			ratio = fmt.Sprintf("%.2f× %s", med[r.name]/ref, r.ref)
		} else if r.ref == r.name {
			ratio = "1.00× (reference)"
		}
		fmt.Printf("| %s | %.2f | %.2f–%.2f | %s |\n", r.name, med[r.name], quantile(r.times, 0.1), quantile(r.times, 0.9), ratio)
	}
}
