package main

import (
	"testing"
)

func TestUsageExit(t *testing.T) {
	if code := run(t.Context(), []string{"--storage", "vault", "get"}); code != exitUsage {
		t.Errorf("exit %d, want %d", code, exitUsage)
	}
}
