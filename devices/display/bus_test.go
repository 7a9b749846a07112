// SPDX-License-Identifier: AGPL-3.0-or-later

package display_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"sync"
	"testing"
	"time"

	"yichuang/devices/display"
)

// fakeClock moves only when something waits on it.
type fakeClock struct {
	mu    sync.Mutex
	now   time.Time
	waits []time.Duration
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) After(d time.Duration) <-chan time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.waits = append(c.waits, d)
	c.now = c.now.Add(d)
	ch := make(chan time.Time, 1)
	ch <- c.now
	return ch
}

func (c *fakeClock) tick(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// The bus waits the pause plus the command's time on the wire, counted from
// the end of the previous write, and no more.
func TestBusPauseArithmetic(t *testing.T) {
	clk := &fakeClock{now: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
	var out bytes.Buffer
	bus, err := display.NewBus(&out, &display.BusOpts{Pause: 50 * time.Millisecond, Baud: 9600, Now: clk.Now, After: clk.After})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	cmd := bytes.Repeat([]byte("x"), 96) // 100 ms at 9600 baud
	for range 3 {
		if err := bus.Send(ctx, cmd); err != nil {
			t.Fatal(err)
		}
	}
	clk.tick(200 * time.Millisecond) // idle longer than the pause: no wait
	if err := bus.Send(ctx, cmd); err != nil {
		t.Fatal(err)
	}
	want := []time.Duration{150 * time.Millisecond, 150 * time.Millisecond}
	if len(clk.waits) != len(want) || clk.waits[0] != want[0] || clk.waits[1] != want[1] {
		t.Errorf("waited %v, want %v", clk.waits, want)
	}
	if out.Len() != 4*len(cmd) {
		t.Errorf("wrote %d bytes", out.Len())
	}
}

// stampWriter records when each write started and ended.
type stampWriter struct {
	mu         sync.Mutex
	buf        bytes.Buffer
	start, end []time.Time
	inWrite    bool
	overlapped bool
}

func (w *stampWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	if w.inWrite {
		w.overlapped = true
	}
	w.inWrite = true
	w.start = append(w.start, time.Now())
	w.mu.Unlock()
	time.Sleep(time.Millisecond) // a slow port: overlapping writers would show
	w.mu.Lock()
	defer w.mu.Unlock()
	w.inWrite = false
	w.end = append(w.end, time.Now())
	return w.buf.Write(p)
}

// Eight screens showing at once on one bus: every command goes out whole,
// one at a time, the pause between each.
func TestBusConcurrentScreens(t *testing.T) {
	w := &stampWriter{}
	const pause = 20 * time.Millisecond
	bus, err := display.NewBus(w, &display.BusOpts{Pause: pause, Baud: -1})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for i := 1; i <= 8; i++ {
		d, err := display.New(bus, &display.Opts{Format: display.FormatFramed, Addr: i})
		if err != nil {
			t.Fatal(err)
		}
		wg.Go(func() {
			if err := d.Show(context.Background(), "A012 请到3号窗口"); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	fs, n, err := display.ParseFrames(w.buf.Bytes())
	if err != nil || n != w.buf.Len() || len(fs) != 8 {
		t.Fatalf("%d frames, %v", len(fs), err)
	}
	seen := map[byte]bool{}
	for _, f := range fs {
		seen[f.Addr] = true
	}
	if len(seen) != 8 {
		t.Errorf("addresses %v", seen)
	}
	if w.overlapped {
		t.Error("two writes overlapped")
	}
	for i := 1; i < len(w.start); i++ {
		if gap := w.start[i].Sub(w.end[i-1]); gap < pause {
			t.Errorf("write %d started %v after the previous ended, want ≥ %v", i, gap, pause)
		}
	}
}

func TestBusContextAndClose(t *testing.T) {
	w := &stampWriter{}
	bus, err := display.NewBus(w, &display.BusOpts{Pause: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	d, err := display.New(bus, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Show(context.Background(), "A001"); err != nil {
		t.Fatal(err)
	}
	// The next command must wait an hour: the context ends it first.
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if err := d.Show(ctx, "A002"); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Show past its deadline = %v", err)
	}
	if err := bus.Close(); err != nil {
		t.Fatal(err)
	}
	if err := d.Clear(context.Background()); !errors.Is(err, display.ErrClosed) {
		t.Errorf("Clear after Close = %v", err)
	}
	if err := bus.Close(); err != nil {
		t.Errorf("second Close = %v", err)
	}
}

type failWriter struct{ n int }

func (f failWriter) Write(p []byte) (int, error) { return min(f.n, len(p)), io.ErrClosedPipe }

func TestBusWriteError(t *testing.T) {
	bus, _ := display.NewBus(failWriter{n: 2}, &display.BusOpts{Pause: -1})
	d, _ := display.New(bus, &display.Opts{Format: display.FormatFramed, Addr: 7})
	err := d.Show(context.Background(), "A001")
	if !errors.Is(err, io.ErrClosedPipe) {
		t.Errorf("Show = %v", err)
	}
	t.Logf("error reads: %v", err)
}

func TestNewRefuses(t *testing.T) {
	bus, _ := display.NewBus(&bytes.Buffer{}, nil)
	tests := []struct {
		o    display.Opts
		want error
	}{
		{display.Opts{Format: display.FormatFramed, Addr: 0}, display.ErrAddress},
		{display.Opts{Format: display.FormatFramed, Addr: 256}, display.ErrAddress},
		{display.Opts{Format: display.FormatLine, Addr: -1}, display.ErrAddress},
		{display.Opts{Format: display.Format(7)}, display.ErrFormat},
		{display.Opts{Charset: display.Charset(7)}, display.ErrCharset},
		{display.Opts{Width: 200}, display.ErrTooLong},
	}
	for _, tt := range tests {
		if _, err := display.New(bus, &tt.o); !errors.Is(err, tt.want) {
			t.Errorf("New(%+v) = %v, want %v", tt.o, err, tt.want)
		}
	}
	if _, err := display.New(nil, nil); err == nil {
		t.Error("nil bus accepted")
	}
	if _, err := display.NewBus(nil, nil); err == nil {
		t.Error("nil port accepted")
	}
}
