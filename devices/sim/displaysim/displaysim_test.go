// SPDX-License-Identifier: AGPL-3.0-or-later

package displaysim_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"yichuang/devices/display"
	"yichuang/devices/sim/displaysim"
)

func newSim(t *testing.T, o *displaysim.Opts) *displaysim.Sim {
	t.Helper()
	s, err := displaysim.New(o)
	if err != nil {
		t.Skipf("no pseudo-terminal here: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func show(t *testing.T, o display.Opts, text string) []byte {
	t.Helper()
	bus, _ := display.NewBus(discard{}, nil)
	d, err := display.New(bus, &o)
	if err != nil {
		t.Fatal(err)
	}
	b, err := d.EncodeShow(text)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }

// Both formats mixed on one line, cut into pieces at every byte.
func TestFeedMixedPieces(t *testing.T) {
	s := newSim(t, nil)
	var stream []byte
	stream = append(stream, show(t, display.Opts{Format: display.FormatFramed, Addr: 1}, "A012 请到3号窗口")...)
	stream = append(stream, show(t, display.Opts{Format: display.FormatLine, Addr: 3}, "C001 请到5号窗口")...)
	stream = append(stream, "\x00junk"...)
	stream = append(stream, show(t, display.Opts{Format: display.FormatFramed, Addr: 2}, "B007")...)
	stream = append(stream, show(t, display.DefaultOpts(), "欢迎")...)
	t0 := time.Unix(0, 0)
	for i := range stream {
		s.Feed(stream[i:i+1], t0.Add(time.Duration(i)*time.Millisecond))
	}
	want := map[int]string{1: "A012 请到3号窗口", 3: "C001 请到5号窗口", 2: "B007", 0: "欢迎"}
	for addr, text := range want {
		if got, _ := s.Shown(addr); got != text {
			t.Errorf("screen %d shows %q, want %q", addr, got, text)
		}
	}
	ev := s.Events()
	if len(ev) != 4 {
		t.Fatalf("%d events", len(ev))
	}
	// "\x00junk" glued to the next frame: a line cut short by a frame.
	if s.Bad() != 1 {
		t.Errorf("%d bad runs, want 1", s.Bad())
	}
	if ev[0].Start != t0 || ev[0].End != t0.Add(time.Duration(len(ev[0].Raw)-1)*time.Millisecond) {
		t.Errorf("first command read from %v to %v", ev[0].Start, ev[0].End)
	}
}

// A busy screen drops what arrives before it is done drawing.
func TestFeedBusy(t *testing.T) {
	s := newSim(t, &displaysim.Opts{Busy: 20 * time.Millisecond})
	a := show(t, display.Opts{Format: display.FormatFramed, Addr: 1}, "A001")
	b := show(t, display.Opts{Format: display.FormatFramed, Addr: 2}, "B001")
	t0 := time.Unix(0, 0)
	s.Feed(append(append([]byte(nil), a...), b...), t0) // back to back: b lost
	s.Feed(b, t0.Add(10*time.Millisecond))              // too soon: lost
	if _, ok := s.Shown(2); ok || s.Dropped() != 2*len(b) {
		t.Fatalf("screen 2 updated, or %d bytes dropped", s.Dropped())
	}
	s.Feed(b, t0.Add(20*time.Millisecond)) // after the busy time
	if got, _ := s.Shown(2); got != "B001" {
		t.Errorf("screen 2 shows %q", got)
	}
	// The tail of a command whose head was dropped is noise.
	c := show(t, display.Opts{Format: display.FormatFramed, Addr: 1}, "A002")
	s.Feed(c[:3], t0.Add(25*time.Millisecond))
	s.Feed(c[3:], t0.Add(60*time.Millisecond))
	if got, _ := s.Shown(1); got != "A001" || len(s.Events()) != 2 || s.Bad() != 1 {
		t.Errorf("screen 1 shows %q after %d events, %d bad", got, len(s.Events()), s.Bad())
	}
	s.Reset()
	if s.Dropped() != 0 || len(s.Events()) != 0 {
		t.Error("Reset kept counters")
	}
}

func TestWaitAndClose(t *testing.T) {
	s := newSim(t, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if err := s.Wait(ctx, 1); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Wait = %v", err)
	}
	done := make(chan error, 1)
	go func() { done <- s.Run(context.Background()) }()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Run after Close = %v", err)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("Run did not return after Close")
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close = %v", err)
	}
}
