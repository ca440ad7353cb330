package client

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/rhodecode-cli/rhodecode/internal/termtext"
)

// maxTraceBody is how much of a body the debug trace shows.
const maxTraceBody = 4 << 10

// debugTransport writes a redacted trace of each exchange, curl -v style:
// "> " request lines, "< " response lines, "* " notes.
type debugTransport struct {
	next    http.RoundTripper
	w       io.Writer
	mu      sync.Mutex    // serialises writes
	secrets *knownSecrets // the connection's, scrubbed from everything written
}

// newDebugTransport wraps next. Every secret the connection knows is
// scrubbed from the trace in addition to the structural redaction, as a
// last line of defence against fields nobody thought of.
func newDebugTransport(next http.RoundTripper, w io.Writer, secrets *knownSecrets) *debugTransport {
	return &debugTransport{next: next, w: w, secrets: secrets}
}

// RoundTrip implements http.RoundTripper.
func (t *debugTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	var b strings.Builder
	fmt.Fprintf(&b, "> %s %s %s\n", req.Method, RedactURL(req.URL.String()), req.Proto)
	host := req.Host
	if host == "" {
		host = req.URL.Host
	}
	fmt.Fprintf(&b, "> Host: %s\n", host)
	if req.ContentLength > 0 {
		fmt.Fprintf(&b, "> Content-Length: %d\n", req.ContentLength)
	}
	writeHeaders(&b, "> ", req.Header)
	if req.GetBody != nil && req.ContentLength != 0 {
		if rc, err := req.GetBody(); err == nil {
			body, _ := io.ReadAll(io.LimitReader(rc, maxResponseBody))
			rc.Close()
			writeBody(&b, "> ", t.redactBody(req.Header, body))
		}
	}
	t.write(b.String())

	start := time.Now()
	resp, err := t.next.RoundTrip(req)
	elapsed := time.Since(start).Round(time.Millisecond)
	if err != nil {
		t.write(fmt.Sprintf("* %s %s failed after %s: %v\n", req.Method, RedactURL(req.URL.String()), elapsed, err))
		return nil, err
	}

	// Buffer the body so it can be shown and still be read by the caller.
	body, readErr := io.ReadAll(io.LimitReader(resp.Body, maxResponseBody+1))
	resp.Body.Close()
	var rest io.Reader = bytes.NewReader(body)
	if readErr != nil {
		rest = io.MultiReader(rest, errReader{readErr})
	}
	resp.Body = io.NopCloser(rest)

	b.Reset()
	fmt.Fprintf(&b, "< %s %s (%s)\n", resp.Proto, resp.Status, elapsed)
	writeHeaders(&b, "< ", resp.Header)
	writeBody(&b, "< ", t.redactBody(resp.Header, body))
	if readErr != nil {
		fmt.Fprintf(&b, "* reading the body failed: %v\n", readErr)
	}
	t.write(b.String())
	return resp, nil
}

// write prints trace lines with every known secret scrubbed and, since
// status texts, headers and bodies come from the server, sanitised line
// by line like everything else printed for a person.
func (t *debugTransport) write(s string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	lines := strings.SplitAfter(t.secrets.scrub(s), "\n")
	for i, l := range lines {
		line, nl := strings.CutSuffix(l, "\n")
		lines[i] = termtext.Sanitize(line)
		if nl {
			lines[i] += "\n"
		}
	}
	// Scrub again: dropping a control character may join a secret that a
	// server split with one.
	_, _ = io.WriteString(t.w, t.secrets.scrub(strings.Join(lines, "")))
}

// redactBody redacts a body by its Content-Type and scrubs the known
// secrets from all of it, before writeBody cuts it to maxTraceBody: a
// secret cut in two would no longer match.
func (t *debugTransport) redactBody(h http.Header, body []byte) []byte {
	return []byte(t.secrets.scrub(string(RedactBody(h.Get("Content-Type"), body))))
}

func writeHeaders(b *strings.Builder, prefix string, h http.Header) {
	h = RedactHeader(h)
	keys := make([]string, 0, len(h))
	for k := range h {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		for _, v := range h[k] {
			fmt.Fprintf(b, "%s%s: %s\n", prefix, k, v)
		}
	}
}

func writeBody(b *strings.Builder, prefix string, body []byte) {
	b.WriteString(prefix + "\n")
	if len(body) == 0 {
		return
	}
	more := 0
	if len(body) > maxTraceBody {
		more = len(body) - maxTraceBody
		body = body[:maxTraceBody]
	}
	for _, line := range strings.Split(strings.TrimRight(string(body), "\n"), "\n") {
		b.WriteString(prefix + line + "\n")
	}
	if more > 0 {
		fmt.Fprintf(b, "* body truncated, %d more bytes\n", more)
	}
}

// errReader replays a read error after the buffered bytes.
type errReader struct{ err error }

func (r errReader) Read([]byte) (int, error) { return 0, r.err }
