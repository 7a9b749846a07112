// SPDX-License-Identifier: AGPL-3.0-or-later

package idcardsim_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"yichuang/devices"
	"yichuang/devices/idcard"
	"yichuang/devices/sim/idcardsim"
)

func TestSamples(t *testing.T) {
	now := time.Date(2026, 11, 27, 9, 0, 0, 0, time.FixedZone("CST", 8*3600))
	types := map[devices.CardType]bool{}
	for _, c := range idcardsim.Samples() {
		types[c.Type] = true
		if err := idcard.Check(c, now); err != nil {
			t.Errorf("%s %s: %v", c.Type, c.Name, err)
		}
		raw, err := idcardsim.NewCard(c)
		if err != nil {
			t.Fatalf("%s: %v", c.Type, err)
		}
		if len(raw.Text) != idcard.TextSize || len(raw.Photo) != idcard.PhotoSize {
			t.Errorf("%s: text %d, photo %d bytes", c.Type, len(raw.Text), len(raw.Photo))
		}
		got, err := idcard.DecodeText(raw.Text)
		if err != nil {
			t.Fatal(err)
		}
		if got.Name != c.Name || got.NameEN != c.NameEN || got.IDNumber != c.IDNumber || got.Type != c.Type {
			t.Errorf("%s: decoded %+v", c.Type, got)
		}
	}
	if len(types) != 4 {
		t.Errorf("samples cover %d layouts, want 4", len(types))
	}
	a, _ := idcardsim.NewCard(idcardsim.SampleResident())
	b, _ := idcardsim.NewCard(idcardsim.SampleForeign())
	if a.Serial == b.Serial {
		t.Error("two cards with one serial")
	}
	if _, err := idcardsim.NewCard(devices.Card{Name: strings.Repeat("长", 16)}); !errors.Is(err, idcard.ErrFieldTooLong) {
		t.Errorf("NewCard with a long name: %v", err)
	}
}

func TestFrames(t *testing.T) {
	f, err := idcardsim.ResponseFrame(idcard.StatusNoCard, nil)
	if err != nil || !bytes.Equal(f, []byte{0xAA, 0xAA, 0xAA, 0x96, 0x69, 0x00, 0x04, 0x00, 0x00, 0x80, 0x84}) {
		t.Errorf("ResponseFrame = % X, %v", f, err)
	}
	card, _ := idcardsim.NewCard(idcardsim.SampleResident())
	f, err = idcardsim.BaseFrame(card, false)
	if err != nil || len(f) != 1295 {
		t.Errorf("BaseFrame: %d bytes, %v", len(f), err)
	}
	f, err = idcardsim.BaseFrame(card, true)
	if err != nil || len(f) != 1297 {
		t.Errorf("BaseFrame with fingerprint field: %d bytes, %v", len(f), err)
	}
}

// rawPort talks to a simulator with bare frames through the real serial
// stack.
type rawPort struct {
	t    *testing.T
	port idcard.Port
	buf  []byte
}

func (p *rawPort) send(b []byte) {
	p.t.Helper()
	if _, err := p.port.Write(b); err != nil {
		p.t.Fatal(err)
	}
}

// answer reads one answer; ok is false when none comes within d.
func (p *rawPort) answer(d time.Duration) (r idcard.Response, ok bool) {
	p.t.Helper()
	deadline := time.Now().Add(d)
	rb := make([]byte, 512)
	for time.Now().Before(deadline) {
		body, n, err := idcard.Scan(p.buf)
		if err == nil {
			r, err = idcard.ParseResponse(body)
			if err != nil {
				p.t.Fatal(err)
			}
			r.Data = append([]byte(nil), r.Data...)
			p.buf = p.buf[n:]
			return r, true
		}
		p.buf = p.buf[n:]
		k, _ := p.port.Read(rb) // a timeout reads as (0, EOF)
		p.buf = append(p.buf, rb[:k]...)
	}
	return idcard.Response{}, false
}

func command(t *testing.T, c idcard.Command) []byte {
	f, err := idcard.EncodeCommand(c, nil)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func TestSimProtocol(t *testing.T) {
	sim, err := idcardsim.New(nil)
	if err != nil {
		t.Skipf("no pseudo-terminal here: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- sim.Run(ctx) }()
	defer func() {
		cancel()
		if err := <-done; !errors.Is(err, context.Canceled) {
			t.Errorf("Run = %v", err)
		}
		if err := sim.Close(); err != nil {
			t.Error(err)
		}
	}()
	port, err := idcard.Open(ctx, sim.Path(), 0)
	if err != nil {
		t.Fatal(err)
	}
	defer port.Close()
	p := &rawPort{t: t, port: port}

	badSum := command(t, idcard.CmdFind)
	badSum[len(badSum)-1] ^= 1
	steps := []struct {
		name  string
		setup func()
		send  []byte
		want  idcard.Status
	}{
		{"bad check byte", nil, badSum, idcard.StatusChecksum},
		{"bad length", nil, []byte("\xAA\xAA\xAA\x96\x69\x00\x02\x20\x22"), idcard.StatusLength},
		{"unknown command", nil, command(t, idcard.Command(0x7766)), idcard.StatusCommand},
		{"appended address", nil, command(t, idcard.CmdReadAppend), idcard.StatusNoContent},
		{"find, no card", nil, command(t, idcard.CmdFind), idcard.StatusNoCard},
		{"select before find", func() { _ = sim.Place(idcardsim.SampleResident()) }, command(t, idcard.CmdSelect), idcard.StatusSelectFailed},
		{"read before select", nil, command(t, idcard.CmdReadBase), idcard.StatusReadFailed},
		{"find", nil, command(t, idcard.CmdFind), idcard.StatusFound},
		{"select", nil, command(t, idcard.CmdSelect), idcard.StatusSuccess},
		{"read", nil, command(t, idcard.CmdReadBase), idcard.StatusSuccess},
		{"find after read, non-sticky", nil, command(t, idcard.CmdFind), idcard.StatusNoCard},
		{"find, sticky", func() { sim.SetSticky(true) }, command(t, idcard.CmdFind), idcard.StatusFound},
		{"find, removed", func() { sim.Remove() }, command(t, idcard.CmdFind), idcard.StatusNoCard},
	}
	for _, s := range steps {
		if s.setup != nil {
			s.setup()
		}
		p.send(s.send)
		r, ok := p.answer(time.Second)
		if !ok || r.SW3 != s.want {
			t.Errorf("%s: got %v (answered: %v), want %v", s.name, r.SW3, ok, s.want)
		}
	}

	// Knobs: noise and split pieces still make one good frame.
	sim.SetNoise(20)
	sim.SetSplit(3, 100*time.Microsecond)
	p.send(command(t, idcard.CmdSAMID))
	if r, ok := p.answer(time.Second); !ok || len(r.Data) != 16 {
		t.Errorf("SAM ID through noise and pieces: %+v %v", r, ok)
	}
	sim.SetNoise(0)
	sim.SetSplit(0, 0)
	sim.Truncate(1)
	p.send(command(t, idcard.CmdReset))
	if _, ok := p.answer(200 * time.Millisecond); ok {
		t.Error("a truncated answer came through whole")
	}
	p.buf = nil
	sim.SetSilent(true)
	p.send(command(t, idcard.CmdReset))
	if _, ok := p.answer(200 * time.Millisecond); ok {
		t.Error("a silent reader answered")
	}
	sim.SetSilent(false)
	p.send(command(t, idcard.CmdReset))
	if r, ok := p.answer(time.Second); !ok || r.SW3 != idcard.StatusSuccess {
		t.Errorf("after silence: %v %v", r.SW3, ok)
	}
	if n := sim.Count(idcard.CmdReset); n != 3 {
		t.Errorf("Count(reset) = %d, want 3", n)
	}
}

// Close while Run serves ends Run with nil, and the driver's port fails.
func TestSimClose(t *testing.T) {
	sim, err := idcardsim.New(&idcardsim.Opts{Sticky: true})
	if err != nil {
		t.Skipf("no pseudo-terminal here: %v", err)
	}
	done := make(chan error, 1)
	go func() { done <- sim.Run(context.Background()) }()
	port, err := idcard.Open(context.Background(), sim.Path(), 0)
	if err != nil {
		t.Fatal(err)
	}
	defer port.Close()
	if err := sim.Close(); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Run = %v", err)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("Run did not return after Close")
	}
	if err := sim.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if _, err := port.Write(command(t, idcard.CmdFind)); err == nil {
		t.Error("writing to an unplugged reader worked")
	}
}
