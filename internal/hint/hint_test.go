package hint_test

import (
	"errors"
	"fmt"
	"io/fs"
	"testing"

	"github.com/vzmon/vzmon/internal/hint"
)

func TestErrorUnwraps(t *testing.T) {
	var err error = &hint.Error{Msg: "no such thing", Hints: []string{"look elsewhere"}, Err: fs.ErrNotExist}
	wrapped := fmt.Errorf("context: %w", err)
	var he *hint.Error
	if !errors.Is(wrapped, fs.ErrNotExist) || !errors.As(wrapped, &he) || he.Error() != "no such thing" || he.Hints[0] != "look elsewhere" {
		t.Fatalf("errors.Is/As through %v: %+v", wrapped, he)
	}
}

func TestPathErr(t *testing.T) {
	pe := &fs.PathError{Op: "open", Path: "/x/y", Err: fs.ErrPermission}
	for _, tt := range []struct {
		in, want error
	}{
		{pe, fs.ErrPermission},
		{fmt.Errorf("wrapped: %w", pe), fs.ErrPermission},
		{fs.ErrClosed, fs.ErrClosed},
	} {
		if got := hint.PathErr(tt.in); !errors.Is(got, tt.want) || got.Error() != tt.want.Error() {
			t.Errorf("PathErr(%v) = %v, want %v", tt.in, got, tt.want)
		}
	}
}
