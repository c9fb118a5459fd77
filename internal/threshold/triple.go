package threshold

import (
	"fmt"
	"strings"

	"github.com/vzmon/vzmon/internal/status"
)

// Triple is one range per load-average window (1, 5 and 15 minutes), as
// check_load takes them: "W1,W5,W15", or one range for all three.
type Triple [3]*Range

// ParseTriple parses "R" or "R1,R5,R15".
func ParseTriple(s string) (Triple, error) {
	var t Triple
	parts := strings.Split(s, ",")
	switch len(parts) {
	case 1:
		parts = []string{parts[0], parts[0], parts[0]}
	case 3:
	default:
		return t, fmt.Errorf("%q: expected one range or three (1, 5 and 15 minutes) separated by commas", s)
	}
	for i, p := range parts {
		r, err := Parse(p)
		if err != nil {
			return t, err
		}
		t[i] = &r
	}
	return t, nil
}

// UnmarshalText lets kong parse flags of type Triple.
func (t *Triple) UnmarshalText(b []byte) error {
	v, err := ParseTriple(string(b))
	if err != nil {
		return err
	}
	*t = v
	return nil
}

// AlertsRatio reports whether num/den falls in the alert zone: a load
// average kept in hundredths is (v, 100), compared exactly.
func (r Range) AlertsRatio(num, den uint64) bool { return r.alerts(num, den, 0) }

// JudgeRatio is the state of num/den; den must not be 0.
func (p Pair) JudgeRatio(num, den uint64) status.Status {
	return judge(p.Crit != nil && p.Crit.AlertsRatio(num, den), p.Warn != nil && p.Warn.AlertsRatio(num, den))
}
