// SPDX-License-Identifier: AGPL-3.0-or-later

package idcard_test

import (
	"context"
	"errors"
	"reflect"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"yichuang/devices"
	"yichuang/devices/idcard"
	"yichuang/devices/sim/idcardsim"
)

// These tests run the driver against the simulator over a real
// pseudo-terminal: the driver opens the pty's tty through tarm/serial.

func ptyOpts() *idcard.Opts {
	return &idcard.Opts{
		Timeout:      250 * time.Millisecond,
		Retries:      2,
		PollInterval: 20 * time.Millisecond,
		RemoveAfter:  3,
		MinBackoff:   20 * time.Millisecond,
		MaxBackoff:   200 * time.Millisecond,
	}
}

// runningSim is a simulator served on its own goroutine.
type runningSim struct {
	*idcardsim.Sim
	cancel context.CancelFunc
	done   chan error
	once   sync.Once
}

// stop ends Run and closes the pty, as unplugging a reader does.
func (s *runningSim) stop(t *testing.T) {
	t.Helper()
	s.once.Do(func() {
		s.cancel()
		if err := <-s.done; !errors.Is(err, context.Canceled) {
			t.Errorf("sim Run = %v", err)
		}
		if err := s.Close(); err != nil {
			t.Error(err)
		}
	})
}

func startSim(t *testing.T, o *idcardsim.Opts) *runningSim {
	t.Helper()
	sim, err := idcardsim.New(o)
	if err != nil {
		t.Skipf("no pseudo-terminal here: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &runningSim{Sim: sim, cancel: cancel, done: make(chan error, 1)}
	go func() { s.done <- sim.Run(ctx) }()
	t.Cleanup(func() { s.stop(t) })
	return s
}

// loop is idcard.Run on its own goroutine, its events on a channel.
type loop struct {
	events chan idcard.Event
}

func startLoop(t *testing.T, open idcard.Opener, o *idcard.Opts) *loop {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	l := &loop{events: make(chan idcard.Event, 64)}
	done := make(chan error, 1)
	go func() {
		done <- idcard.Run(ctx, open, o, func(e idcard.Event) {
			select {
			case l.events <- e:
			case <-ctx.Done():
			}
		})
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-done; !errors.Is(err, context.Canceled) {
			t.Errorf("Run = %v", err)
		}
	})
	return l
}

func pathOpener(path *atomic.Value) idcard.Opener {
	return func(ctx context.Context) (idcard.Port, error) {
		return idcard.Open(ctx, path.Load().(string), 0)
	}
}

func staticOpener(path string) idcard.Opener {
	return idcard.SerialOpener(path, idcard.DefaultBaud)
}

// expect waits for the next event, which must be of kind k.
func (l *loop) expect(t *testing.T, k idcard.EventKind, within time.Duration) idcard.Event {
	t.Helper()
	select {
	case e := <-l.events:
		if e.Kind != k {
			t.Fatalf("got event %v (%v), want %v", e.Kind, e.Err, k)
		}
		return e
	case <-time.After(within):
		t.Fatalf("no %v event within %v", k, within)
	}
	return idcard.Event{}
}

// quiet checks that no event comes for d.
func (l *loop) quiet(t *testing.T, d time.Duration) {
	t.Helper()
	select {
	case e := <-l.events:
		t.Fatalf("unexpected event %v (%v)", e.Kind, e.Err)
	case <-time.After(d):
	}
}

func sameCard(t *testing.T, got, want devices.Card) {
	t.Helper()
	got.Photo, want.Photo = nil, nil
	if !reflect.DeepEqual(got, want) {
		t.Errorf("read\n%+v\nwant\n%+v", got, want)
	}
}

func TestPtyLine(t *testing.T) {
	tests := []struct {
		name  string
		setup func(s *idcardsim.Sim, o *idcard.Opts)
		reads int // 30 01 sent: 1, plus one per spoiled answer
	}{
		{"clean", func(*idcardsim.Sim, *idcard.Opts) {}, 1},
		{"noise before every answer", func(s *idcardsim.Sim, _ *idcard.Opts) { s.SetNoise(37) }, 1},
		{"answers split in 7-byte pieces", func(s *idcardsim.Sim, _ *idcard.Opts) {
			s.SetSplit(7, 200*time.Microsecond)
		}, 1},
		{"bad check bytes on finds", func(s *idcardsim.Sim, _ *idcard.Opts) { s.BadChecksums(2, idcard.CmdFind) }, 1},
		{"bad check bytes on the read", func(s *idcardsim.Sim, _ *idcard.Opts) { s.BadChecksums(2, idcard.CmdReadBase) }, 3},
		{"impossible lengths on the read", func(s *idcardsim.Sim, _ *idcard.Opts) { s.BadLengths(2, idcard.CmdReadBase) }, 3},
		{"truncated read", func(s *idcardsim.Sim, _ *idcard.Opts) { s.Truncate(1, idcard.CmdReadBase) }, 2},
		{"all at once", func(s *idcardsim.Sim, o *idcard.Opts) {
			s.SetNoise(5)
			s.SetSplit(64, 100*time.Microsecond)
			s.BadChecksums(1, idcard.CmdSelect)
			s.BadLengths(1, idcard.CmdReadBase)
		}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := startSim(t, &idcardsim.Opts{Sticky: true, Seed: 1})
			o := ptyOpts()
			if tt.name == "answers split in 7-byte pieces" {
				// 1295 bytes in 185 pieces; Run takes its options when it
				// starts, so a longer wait is set before, not in setup
				o.Timeout = time.Second
			}
			l := startLoop(t, staticOpener(s.Path()), o)
			l.expect(t, idcard.EventOnline, 2*time.Second)
			tt.setup(s.Sim, o)
			card := idcardsim.SampleResident()
			placed := time.Now()
			if err := s.Place(card); err != nil {
				t.Fatal(err)
			}
			e := l.expect(t, idcard.EventRead, time.Second)
			t.Logf("read %v after placing", time.Since(placed).Round(time.Millisecond))
			sameCard(t, e.Card, card)
			if len(e.Card.Photo) != idcard.PhotoSize {
				t.Errorf("photo of %d bytes", len(e.Card.Photo))
			}
			s.Remove()
			l.expect(t, idcard.EventRemoved, time.Second)
			l.quiet(t, 150*time.Millisecond)
			if n := s.Count(idcard.CmdReadBase); n != tt.reads {
				t.Errorf("30 01 sent %d times, want %d", n, tt.reads)
			}
		})
	}
}

// A card left on the reader is read once, whichever way the reader reports
// it; it is reported removed once.
func TestPtyPlacements(t *testing.T) {
	for _, sticky := range []bool{true, false} {
		name := map[bool]string{true: "sticky", false: "non-sticky"}[sticky]
		t.Run(name, func(t *testing.T) {
			s := startSim(t, &idcardsim.Opts{Sticky: sticky})
			l := startLoop(t, staticOpener(s.Path()), ptyOpts())
			l.expect(t, idcard.EventOnline, 2*time.Second)
			if err := s.Place(idcardsim.SampleForeign2023()); err != nil {
				t.Fatal(err)
			}
			l.expect(t, idcard.EventRead, time.Second)
			if !sticky {
				// No card, as this reader says after a read: removed after
				// RemoveAfter polls, though it still lies there.
				l.expect(t, idcard.EventRemoved, time.Second)
			}
			l.quiet(t, 300*time.Millisecond) // 15 polls with the card on the reader
			s.Remove()
			if sticky {
				l.expect(t, idcard.EventRemoved, time.Second)
			}
			l.quiet(t, 150*time.Millisecond)
			if n := s.Count(idcard.CmdReadBase); n != 1 {
				t.Errorf("read the card %d times", n)
			}
			if n := s.Count(idcard.CmdFind); n < 20 {
				t.Errorf("only %d polls", n)
			}
		})
	}
}

// A reader that stops answering is reported offline, and online again when
// it answers, without a restart; the card on it is not read a second time.
func TestPtySilence(t *testing.T) {
	s := startSim(t, &idcardsim.Opts{Sticky: true})
	l := startLoop(t, staticOpener(s.Path()), ptyOpts())
	l.expect(t, idcard.EventOnline, 2*time.Second)
	if err := s.Place(idcardsim.SampleResidencePermit()); err != nil {
		t.Fatal(err)
	}
	l.expect(t, idcard.EventRead, time.Second)
	s.SetSilent(true)
	start := time.Now()
	e := l.expect(t, idcard.EventOffline, 3*time.Second)
	t.Logf("offline %v after the reader fell silent", time.Since(start).Round(time.Millisecond))
	if !errors.Is(e.Err, idcard.ErrTimeout) {
		t.Errorf("offline because %v, want ErrTimeout", e.Err)
	}
	if st, ok := e.Status(); !ok || st.State != devices.StateOffline || st.Device != "idcard" {
		t.Errorf("status %+v", st)
	}
	l.quiet(t, 300*time.Millisecond) // offline once, not once per retry
	s.SetSilent(false)
	start = time.Now()
	l.expect(t, idcard.EventOnline, 3*time.Second)
	t.Logf("online %v after the reader answered again", time.Since(start).Round(time.Millisecond))
	l.quiet(t, 200*time.Millisecond)
	if n := s.Count(idcard.CmdReadBase); n != 1 {
		t.Errorf("read the card %d times", n)
	}
	s.Remove()
	l.expect(t, idcard.EventRemoved, time.Second)
}

// The USB bridge is unplugged and plugged back: the first simulator goes
// away, a second appears (at another path, as a re-enumerated ttyUSB may),
// and the loop reopens it through its opener.
func TestPtyReopen(t *testing.T) {
	s1 := startSim(t, &idcardsim.Opts{Sticky: true})
	var path atomic.Value
	path.Store(s1.Path())
	l := startLoop(t, pathOpener(&path), ptyOpts())
	l.expect(t, idcard.EventOnline, 2*time.Second)
	card := idcardsim.SampleResident()
	if err := s1.Place(card); err != nil {
		t.Fatal(err)
	}
	l.expect(t, idcard.EventRead, time.Second)

	s1.stop(t)
	e := l.expect(t, idcard.EventOffline, 3*time.Second)
	t.Logf("offline because: %v", e.Err)

	s2 := startSim(t, &idcardsim.Opts{Sticky: true})
	if err := s2.Place(card); err != nil { // the same card, still on the reader
		t.Fatal(err)
	}
	path.Store(s2.Path())
	l.expect(t, idcard.EventOnline, 3*time.Second)
	l.quiet(t, 200*time.Millisecond) // the same card is not read again

	other := idcardsim.SampleForeign()
	if err := s2.Place(other); err != nil {
		t.Fatal(err)
	}
	l.expect(t, idcard.EventRemoved, time.Second)
	e = l.expect(t, idcard.EventRead, time.Second)
	sameCard(t, e.Card, other)
}

// The doctor's commands, and every card layout, over the real serial stack.
func TestPtyDev(t *testing.T) {
	s := startSim(t, &idcardsim.Opts{Sticky: true})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	port, err := idcard.Open(ctx, s.Path(), idcard.DefaultBaud)
	if err != nil {
		t.Fatal(err)
	}
	o := ptyOpts()
	o.Fingerprint = true
	d, err := idcard.New(port, o)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if id, err := d.SAMID(ctx); err != nil || id != "05.01-20212813-0000012345-1234567890" {
		t.Errorf("SAMID = %q, %v", id, err)
	}
	if err := d.SAMStatus(ctx); err != nil {
		t.Error(err)
	}
	if err := d.Reset(ctx); err != nil {
		t.Error(err)
	}
	if err := d.Find(ctx); !errors.Is(err, idcard.ErrNoCard) {
		t.Errorf("Find on an empty reader = %v", err)
	}
	if _, err := d.Transact(ctx, idcard.Command(0x7777), nil); err != nil {
		t.Errorf("unknown command: %v", err)
	}
	for _, card := range idcardsim.Samples() {
		t.Run(string(card.Type)+" "+card.Name, func(t *testing.T) {
			card.Fingerprint = make([]byte, idcard.FingerprintSize)
			card.Fingerprint[0] = 0x43
			if err := s.Place(card); err != nil {
				t.Fatal(err)
			}
			start := time.Now()
			got, err := d.ReadCard(ctx)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("find+select+read with fingerprint in %v", time.Since(start).Round(time.Microsecond))
			sameCard(t, got, card)
			if err := idcard.Check(got, time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)); err != nil {
				t.Errorf("sample card fails its checks: %v", err)
			}
		})
	}
}
