// SPDX-License-Identifier: AGPL-3.0-or-later

package display_test

import (
	"context"
	"errors"
	"io"
	"sync"
	"testing"
	"time"

	"yichuang/devices/display"
	"yichuang/devices/sim/displaysim"
)

// These tests run the driver against the simulator over a real
// pseudo-terminal: the driver opens the pty's tty through tarm/serial.

type runningSim struct {
	*displaysim.Sim
	cancel context.CancelFunc
	done   chan error
	once   sync.Once
}

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

func startSim(t *testing.T, o *displaysim.Opts) *runningSim {
	t.Helper()
	sim, err := displaysim.New(o)
	if err != nil {
		t.Skipf("no pseudo-terminal here: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &runningSim{Sim: sim, cancel: cancel, done: make(chan error, 1)}
	go func() { s.done <- sim.Run(ctx) }()
	t.Cleanup(func() { s.stop(t) })
	return s
}

// stampPort records when each write to the real port ended.
type stampPort struct {
	io.WriteCloser
	mu   sync.Mutex
	ends []time.Time
}

func (p *stampPort) Write(b []byte) (int, error) {
	n, err := p.WriteCloser.Write(b)
	p.mu.Lock()
	p.ends = append(p.ends, time.Now())
	p.mu.Unlock()
	return n, err
}

func openBus(t *testing.T, s *runningSim, o *display.BusOpts) (*display.Bus, *stampPort) {
	t.Helper()
	port, err := display.Open(context.Background(), s.Path(), 115200)
	if err != nil {
		t.Fatal(err)
	}
	sp := &stampPort{WriteCloser: port}
	if o == nil {
		o = &display.BusOpts{}
	}
	o.Baud = 115200
	bus, err := display.NewBus(sp, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { bus.Close() })
	return bus, sp
}

func screen(t *testing.T, bus *display.Bus, o display.Opts) *display.Dev {
	t.Helper()
	d, err := display.New(bus, &o)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func waitEvents(t *testing.T, s *runningSim, n int) []displaysim.Event {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	if err := s.Wait(ctx, n); err != nil {
		t.Fatal(err)
	}
	return s.Events()
}

func expectShown(t *testing.T, s *runningSim, addr int, want string) {
	t.Helper()
	if got, ok := s.Shown(addr); !ok || got != want {
		t.Errorf("screen %d shows %q (%v), want %q", addr, got, ok, want)
	}
}

// Each format, alone on its line, over the real serial stack.
func TestPtyFormats(t *testing.T) {
	tests := []struct {
		name string
		o    display.Opts
		addr int // where the simulator records it
	}{
		{"line, no address", display.DefaultOpts(), 0},
		{"line, address 12", display.Opts{Format: display.FormatLine, Addr: 12}, 12},
		{"framed, address 1", display.Opts{Format: display.FormatFramed, Addr: 1}, 1},
		{"framed, address 7 (BEL)", display.Opts{Format: display.FormatFramed, Addr: 7}, 7},
		{"framed, GB2312", display.Opts{Format: display.FormatFramed, Addr: 200, Charset: display.GB2312}, 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := startSim(t, nil)
			bus, _ := openBus(t, s, &display.BusOpts{Pause: 5 * time.Millisecond})
			d := screen(t, bus, tt.o)
			ctx := context.Background()
			if err := d.Show(ctx, "A012 请到3号窗口"); err != nil {
				t.Fatal(err)
			}
			if err := d.Show(ctx, "请A013号到12号窗口办理"); err != nil { // 22 columns
				t.Fatal(err)
			}
			ev := waitEvents(t, s, 2)
			expectShown(t, s, tt.addr, "请A013号到12号窗") // cut at 16 columns
			if ev[0].Text != "A012 请到3号窗口" || ev[0].Format != tt.o.Format || ev[0].Addr != tt.addr {
				t.Errorf("first event %+v", ev[0])
			}
			if err := d.Clear(ctx); err != nil {
				t.Fatal(err)
			}
			ev = waitEvents(t, s, 3)
			if !ev[2].Clear {
				t.Errorf("third event %+v, want a clear", ev[2])
			}
			expectShown(t, s, tt.addr, "")
			if s.Bad() != 0 || s.Dropped() != 0 {
				t.Errorf("%d bad runs, %d bytes dropped", s.Bad(), s.Dropped())
			}
		})
	}
}

// Three screens of both formats on one bus, driven at once from three
// goroutines with the default pause: each shows its own text, the simulator
// never saw the bytes of two commands mixed, and the commands were apart by
// the pause, measured where the driver wrote and where the screens read.
func TestPtySharedBus(t *testing.T) {
	// A screen busy for 15 ms after each command; the bus pauses 50 ms.
	s := startSim(t, &displaysim.Opts{Busy: 15 * time.Millisecond})
	bus, sp := openBus(t, s, nil)
	if got := bus.Opts().Pause; got != 50*time.Millisecond {
		t.Fatalf("default pause %v", got)
	}
	screens := []*display.Dev{
		screen(t, bus, display.Opts{Format: display.FormatFramed, Addr: 1}),
		screen(t, bus, display.Opts{Format: display.FormatFramed, Addr: 2}),
		screen(t, bus, display.Opts{Format: display.FormatLine, Addr: 3}),
	}
	texts := map[int][]string{
		1: {"A001 请到1号窗口", "A004 请到1号窗口"},
		2: {"B002 请到2号窗口", "B005 请到2号窗口"},
		3: {"C003 请到3号窗口", "C006 请到3号窗口"},
	}
	start := time.Now()
	var wg sync.WaitGroup
	for i, d := range screens {
		wg.Go(func() {
			for _, text := range texts[i+1] {
				if err := d.Show(context.Background(), text); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	ev := waitEvents(t, s, 6)
	t.Logf("6 commands on one bus in %v", time.Since(start).Round(time.Millisecond))
	for addr, want := range texts {
		expectShown(t, s, addr, want[1])
	}
	if s.Bad() != 0 || s.Dropped() != 0 {
		t.Errorf("%d bad runs, %d bytes dropped", s.Bad(), s.Dropped())
	}
	pause := 50 * time.Millisecond
	minRead := time.Duration(1 << 62)
	for i := 1; i < len(ev); i++ {
		minRead = min(minRead, ev[i].Start.Sub(ev[i-1].End))
		if w := sp.ends[i].Sub(sp.ends[i-1]); w < pause {
			t.Errorf("writes %d and %d %v apart, want ≥ %v", i-1, i, w, pause)
		}
	}
	t.Logf("smallest gap between commands as the screens read them: %v", minRead.Round(100*time.Microsecond))
	// The reader may be late for one command and on time for the next.
	if minRead < pause-20*time.Millisecond {
		t.Errorf("screens saw commands %v apart, want about %v", minRead, pause)
	}
}

// The same busy screens without the pause: commands sent back to back lose
// bytes, and some screens show nothing or stale text. This is why the pause
// exists.
func TestPtyNoPauseDropsBytes(t *testing.T) {
	s := startSim(t, &displaysim.Opts{Busy: 30 * time.Millisecond})
	bus, _ := openBus(t, s, &display.BusOpts{Pause: -1})
	ctx := context.Background()
	for addr := 1; addr <= 4; addr++ {
		d := screen(t, bus, display.Opts{Format: display.FormatFramed, Addr: addr})
		if err := d.Show(ctx, "A012 请到3号窗口"); err != nil {
			t.Fatal(err)
		}
	}
	time.Sleep(100 * time.Millisecond)
	shown := 0
	for addr := 1; addr <= 4; addr++ {
		if _, ok := s.Shown(addr); ok {
			shown++
		}
	}
	t.Logf("without a pause: %d of 4 screens updated, %d bytes dropped", shown, s.Dropped())
	if s.Dropped() == 0 || shown == 4 {
		t.Errorf("busy screens lost nothing without a pause (%d shown, %d dropped)", shown, s.Dropped())
	}
}

// Unplugging the adapter makes commands fail with an error, not hang.
func TestPtyUnplugged(t *testing.T) {
	s := startSim(t, nil)
	bus, _ := openBus(t, s, &display.BusOpts{Pause: -1})
	d := screen(t, bus, display.DefaultOpts())
	if err := d.Show(context.Background(), "A001"); err != nil {
		t.Fatal(err)
	}
	waitEvents(t, s, 1)
	s.stop(t)
	var err error
	for range 100 { // the tty buffers a little before it fails
		if err = d.Show(context.Background(), "A002 请到3号窗口"); err != nil {
			break
		}
	}
	if err == nil {
		t.Fatal("writes to an unplugged port all succeeded")
	}
	t.Logf("after unplugging: %v", err)
}
