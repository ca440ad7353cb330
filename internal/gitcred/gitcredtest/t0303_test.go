package gitcredtest

import "testing"

func TestParseTAP(t *testing.T) {
	out := "ok 1 - helper (h) has no existing data\n" +
		"not ok 2 - helper (h) stores password\n" +
		"#\t--- output\n#\t+oops\n" +
		"ok 3 # skip needs X (prerequisite X is not supported here)\n" +
		"# skipping timeout tests\n" +
		"1..3\n"
	r := parseTAP(out)
	if r.Planned != 3 || len(r.Tests) != 3 || r.Skip != "" {
		t.Fatalf("parsed %+v", r)
	}
	if f := r.Failed(); len(f) != 1 || f[0].Num != 2 || f[0].Name != "helper (h) stores password" ||
		f[0].Detail != "#\t--- output\n#\t+oops\n" {
		t.Errorf("failed = %+v", f)
	}
	if r.Passed() {
		t.Error("a run with a failure passed")
	}
	if got := shortName(r.Tests[0].Name); got != "has no existing data" {
		t.Errorf("shortName = %q", got)
	}
	if r := parseTAP("1..0 # SKIP used to test external credential helpers\n"); r.Skip == "" || r.Passed() {
		t.Errorf("skip run parsed as %+v", r)
	}
	// A run that stopped early has no plan and does not pass.
	if r := parseTAP("ok 1 - a\n"); r.Planned != -1 || r.Passed() {
		t.Errorf("truncated run parsed as %+v", r)
	}
}

func TestCheckHelperCmd(t *testing.T) {
	for cmd, ok := range map[string]bool{
		"store": true, "/abs/helper": true, "": false,
		"store --file=x": false, "/a b/helper": false, "it's": false,
	} {
		if err := CheckHelperCmd(cmd); (err == nil) != ok {
			t.Errorf("CheckHelperCmd(%q) = %v", cmd, err)
		}
	}
}
