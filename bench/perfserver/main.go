// Command perfserver starts the fake RhodeCode servers bench/perf-table.sh
// measures against: -n servers on 127.0.0.1, each with user alice (its
// password on the PASSWORD line), the first also with -tokens more auth tokens
// of alice's for `token list`. It prints one "URL <url>" line per server,
// then "READY", and runs until its standard input closes.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/rhodecode-cli/rhodecode/internal/fakerc"
)

const password = "bench-password-1"

func main() {
	n := flag.Int("n", 10, "servers to start")
	tokens := flag.Int("tokens", 999, "extra tokens of alice's on the first server")
	flag.Parse()
	if err := run(*n, *tokens); err != nil {
		fmt.Fprintln(os.Stderr, "perfserver:", err)
		os.Exit(1)
	}
}

// run is serve, with a server's failure (fakerc.Do) as its error.
func run(n, tokens int) error {
	var err error
	if ferr := fakerc.Do(func() { err = serve(n, tokens) }); ferr != nil {
		return ferr
	}
	return err
}

func serve(n, tokens int) (err error) {
	out := bufio.NewWriter(os.Stdout)
	fmt.Fprintln(out, "PASSWORD", password)
	for i := range n {
		srv, err := fakerc.Start()
		if err != nil {
			return err
		}
		defer srv.Close()
		srv.AddUser(fakerc.User{Username: "alice", Password: password, Active: true, Email: "alice@example.com"})
		if i == 0 {
			for j := range tokens {
				srv.AddToken("alice", "api", fmt.Sprintf("bench token %d", j), 0)
			}
		}
		fmt.Fprintln(out, "URL", srv.URL)
	}
	fmt.Fprintln(out, "READY")
	if err := out.Flush(); err != nil {
		return err
	}
	_, err = io.Copy(io.Discard, os.Stdin) // until the script closes it
	return err
}
