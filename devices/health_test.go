// SPDX-License-Identifier: AGPL-3.0-or-later

package devices

import "testing"

func TestHealthReportsChanges(t *testing.T) {
	var got []State
	h := NewHealth(func(s Status) { got = append(got, s.State) })
	for _, s := range []State{StateOK, StateOK, StatePaperOut, StatePaperOut, StateOK} {
		h.Set(Status{Device: "printer", State: s})
	}
	want := []State{StateOK, StatePaperOut, StateOK}
	if len(got) != len(want) {
		t.Fatalf("reported %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("reported %v, want %v", got, want)
		}
	}
	if s, ok := h.Get("printer"); !ok || s.State != StateOK || len(h.Snapshot()) != 1 {
		t.Fatal(s, ok)
	}
}
