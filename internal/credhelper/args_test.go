package credhelper

import "testing"

func TestParseArgs(t *testing.T) {
	for _, tt := range []struct {
		args        []string
		storage, op string
		ok          bool
	}{
		{[]string{"get"}, "keyring", "get", true},
		{[]string{"--storage", "file", "store"}, "file", "store", true},
		{[]string{"--storage=file", "erase"}, "file", "erase", true},
		{[]string{"capability"}, "keyring", "capability", true}, // unknown ops: Run ignores them
		{nil, "", "", false},
		{[]string{"--storage", "vault", "get"}, "", "", false},
		{[]string{"--storage", "file"}, "", "", false},
		{[]string{"-x", "get"}, "", "", false},
		{[]string{"--help"}, "", "", false},
		{[]string{"get", "store"}, "", "", false},
	} {
		storage, op, ok := ParseArgs(tt.args)
		if storage != tt.storage || op != tt.op || ok != tt.ok {
			t.Errorf("ParseArgs(%q) = %q %q %v, want %q %q %v", tt.args, storage, op, ok, tt.storage, tt.op, tt.ok)
		}
	}
}
