// SPDX-License-Identifier: AGPL-3.0-or-later

package devices

import (
	"errors"
	"testing"
)

func TestCheckIDNumber(t *testing.T) {
	tests := []struct {
		id    string
		ok    bool
		birth string
	}{
		{"11010519491231002X", true, "1949-12-31"}, // the standard's own example
		{"11010519491231002x", true, "1949-12-31"},
		{"440524188001010014", true, "1880-01-01"},
		{"350303199001011234", false, ""}, // wrong check digit
		{"11010519491331002X", false, ""}, // month 13
		{"1101051949123100", false, ""},   // short
		{"1101051949123100AX", false, ""}, // letters
		{"", false, ""},
	}
	for _, tt := range tests {
		birth, err := CheckIDNumber(tt.id)
		if tt.ok {
			if err != nil {
				t.Errorf("CheckIDNumber(%q) = %v, want ok", tt.id, err)
			} else if got := birth.Format("2006-01-02"); got != tt.birth {
				t.Errorf("CheckIDNumber(%q) birth = %s, want %s", tt.id, got, tt.birth)
			}
			continue
		}
		if !errors.Is(err, ErrIDNumber) {
			t.Errorf("CheckIDNumber(%q) = %v, want ErrIDNumber", tt.id, err)
		}
	}
}

func FuzzCheckIDNumber(f *testing.F) {
	f.Add("11010519491231002X")
	f.Add("350303199001011234")
	f.Fuzz(func(t *testing.T, id string) {
		birth, err := CheckIDNumber(id)
		if err != nil {
			return
		}
		want, _ := IDCheckDigit(id[:17])
		if c := id[17]; c != want && !(c == 'x' && want == 'X') {
			t.Fatalf("accepted %q with check %c, want %c", id, c, want)
		}
		if birth.IsZero() {
			t.Fatalf("accepted %q without a birth date", id)
		}
	})
}
