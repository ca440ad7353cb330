package secret

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
)

const pw = "hunter2-0123456789abcdef"

// holder has the secret where code puts it: an unexported field, which
// fmt prints by reflection without calling methods.
type holder struct {
	name  string
	token Value
	next  *holder
}

// Options has it in an exported field.
type Options struct {
	Token Value
	Debug bool
}

// TestValueNeverPrints formats a Value every way fmt, errors and JSON
// can, alone and inside other values.
func TestValueNeverPrints(t *testing.T) {
	v := New(pw)
	h := &holder{name: "work", token: v, next: &holder{token: v}}
	o := Options{Token: v}
	var out []string
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d", "%10s", "%-30v", "%T"} {
		for _, arg := range []any{v, &v, h, *h, o, &o, []Value{v}, map[string]Value{"k": v}, [1]Value{v}, struct{ V any }{v}} {
			out = append(out, fmt.Sprintf(verb, arg))
		}
	}
	out = append(out, fmt.Sprint(v, h, o), fmt.Sprintln(v, *h), v.String(), v.GoString())
	out = append(out, fmt.Errorf("login with %v failed", v).Error(), errors.New(fmt.Sprint(o)).Error())
	for _, x := range []any{v, o, &o, map[string]Value{"k": v}, []Value{v}} {
		b, err := json.Marshal(x)
		if err != nil {
			t.Fatalf("json.Marshal(%T): %v", x, err)
		}
		out = append(out, string(b))
	}
	if b, _ := v.MarshalText(); string(b) != Redacted {
		t.Errorf("MarshalText = %q", b)
	}
	all := strings.Join(out, "\n")
	for _, part := range []string{pw, "hunter2", fmt.Sprintf("%x", pw)[:16]} {
		if strings.Contains(all, part) {
			t.Errorf("a Value printed %q:\n%s", part, all)
		}
	}
	for _, want := range []string{`"[REDACTED]"`, "secret.Value(\"[REDACTED]\")", `{"Token":"[REDACTED]","Debug":false}`} {
		if !strings.Contains(all, want) {
			t.Errorf("output lacks %s:\n%s", want, all)
		}
	}
}

func TestValueReveal(t *testing.T) {
	if got := New(pw).Reveal(); got != pw {
		t.Errorf("Reveal = %q", got)
	}
	var zero Value
	if zero.Reveal() != "" || !zero.IsZero() || !New("").IsZero() || New(pw).IsZero() {
		t.Error("zero Value is not the empty secret")
	}
}
