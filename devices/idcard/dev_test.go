// SPDX-License-Identifier: AGPL-3.0-or-later

package idcard

import (
	"bytes"
	"context"
	"errors"
	"io"
	"sync"
	"testing"
	"time"

	"yichuang/devices"
)

// fakePort is a scripted reader in memory. Each command written is handed to
// answer with its attempt number (0 for the first time this command is
// sent); what answer returns becomes readable. Reads hand out at most
// maxRead bytes and wait up to 5 ms for data, like a serial read timeout.
type fakePort struct {
	answer  func(c Command, attempt int) []byte
	maxRead int

	mu       sync.Mutex
	in       []byte
	attempts map[Command]int
	writes   int
	readErr  error
	closed   bool
	notify   chan struct{}
}

func newFakePort(answer func(c Command, attempt int) []byte) *fakePort {
	return &fakePort{answer: answer, attempts: map[Command]int{}, notify: make(chan struct{}, 1)}
}

func (p *fakePort) Write(b []byte) (int, error) {
	body, _, err := Scan(b)
	if err != nil {
		return 0, err
	}
	c, _, err := ParseCommand(body)
	if err != nil {
		return 0, err
	}
	p.mu.Lock()
	n := p.attempts[c]
	p.attempts[c]++
	p.writes++
	p.in = append(p.in, p.answer(c, n)...)
	p.mu.Unlock()
	select {
	case p.notify <- struct{}{}:
	default:
	}
	return len(b), nil
}

func (p *fakePort) Read(b []byte) (int, error) {
	for range 2 {
		p.mu.Lock()
		if p.readErr != nil {
			defer p.mu.Unlock()
			return 0, p.readErr
		}
		if len(p.in) > 0 {
			n := len(p.in)
			if p.maxRead > 0 {
				n = min(n, p.maxRead)
			}
			n = copy(b, p.in[:n])
			p.in = p.in[n:]
			p.mu.Unlock()
			return n, nil
		}
		p.mu.Unlock()
		select {
		case <-p.notify:
		case <-time.After(5 * time.Millisecond):
		}
	}
	return 0, io.EOF // what tarm/serial returns on a read timeout
}

func (p *fakePort) Close() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.closed = true
	return nil
}

func frame(t testing.TB, sw3 Status, data []byte) []byte {
	t.Helper()
	f, err := EncodeResponse(Response{SW3: sw3, Data: data})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func fastOpts() *Opts {
	return &Opts{Timeout: 40 * time.Millisecond, Retries: 2, PollInterval: time.Millisecond,
		RemoveAfter: 2, MinBackoff: time.Millisecond, MaxBackoff: 4 * time.Millisecond}
}

func TestTransactResync(t *testing.T) {
	good := frame(t, StatusFound, []byte{0, 0, 0, 0})
	badSum := append([]byte(nil), good...)
	badSum[len(badSum)-1] ^= 1
	badLen := append([]byte(nil), good...)
	badLen[5], badLen[6] = 0xFF, 0xFF
	tests := []struct {
		name     string
		answer   func(attempt int) []byte
		maxRead  int
		wantErr  error
		attempts int
	}{
		{"clean", func(int) []byte { return good }, 0, nil, 1},
		{"byte by byte", func(int) []byte { return good }, 1, nil, 1},
		{"noise before", func(int) []byte { return append([]byte("\x00\xAA\xAA\x96junk\xAA"), good...) }, 3, nil, 1},
		{"bad checksum, then good", func(a int) []byte {
			if a == 0 {
				return badSum
			}
			return good
		}, 0, nil, 2},
		{"impossible length, then good", func(a int) []byte {
			if a < 2 {
				return badLen
			}
			return good
		}, 4, nil, 3},
		{"truncated, then good", func(a int) []byte {
			if a == 0 {
				return good[:9]
			}
			return good
		}, 0, nil, 2},
		{"reader got our frame corrupt", func(a int) []byte {
			if a == 0 {
				return frame(t, StatusChecksum, nil)
			}
			return good
		}, 0, nil, 2},
		{"silent", func(int) []byte { return nil }, 0, ErrTimeout, 3},
		{"always corrupt", func(int) []byte { return badSum }, 0, ErrChecksum, 3},
		{"always rejected", func(int) []byte { return frame(t, StatusLength, nil) }, 0, ErrRejectedLen, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := newFakePort(func(c Command, a int) []byte { return tt.answer(a) })
			p.maxRead = tt.maxRead
			d, err := New(p, fastOpts())
			if err != nil {
				t.Fatal(err)
			}
			err = d.Find(context.Background())
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil && err != nil) {
				t.Errorf("Find = %v, want %v", err, tt.wantErr)
			}
			if p.writes != tt.attempts {
				t.Errorf("%d attempts, want %d", p.writes, tt.attempts)
			}
		})
	}
}

func TestTransactSkipsLateFind(t *testing.T) {
	p := newFakePort(func(c Command, a int) []byte {
		if c == CmdSelect {
			// The answer to an earlier find arrives late, then select's.
			return append(frame(t, StatusFound, []byte{0, 0, 0, 0}), frame(t, StatusSuccess, []byte{1, 2, 3, 4, 5, 6, 7, 8})...)
		}
		return nil
	})
	d, _ := New(p, fastOpts())
	serial, err := d.Select(context.Background())
	if err != nil || !bytes.Equal(serial, []byte{1, 2, 3, 4, 5, 6, 7, 8}) {
		t.Errorf("Select = % X, %v", serial, err)
	}
}

func TestTransactPortErrors(t *testing.T) {
	p := newFakePort(func(Command, int) []byte { return nil })
	p.readErr = errors.New("input/output error")
	d, _ := New(p, fastOpts())
	err := d.Find(context.Background())
	if err == nil || errors.Is(err, ErrTimeout) || p.writes != 1 {
		t.Errorf("Find = %v after %d writes; want the port error at once", err, p.writes)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := d.Find(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
	if _, err := New(nil, nil); err == nil {
		t.Error("New(nil) succeeded")
	}
}

func TestDevCommands(t *testing.T) {
	card := devices.Card{Type: devices.CardResident, Name: "刘䶮", Gender: "男", Nation: "汉", IDNumber: "11010519491231002X"}
	text, err := EncodeText(card)
	if err != nil {
		t.Fatal(err)
	}
	photo := bytes.Repeat([]byte{1}, PhotoSize)
	samID := []byte{5, 0, 1, 0, 0x4d, 0x6c, 0x34, 0x01, 0x39, 0x30, 0, 0, 0xd2, 0x02, 0x96, 0x49}
	fpSupported := true
	p := newFakePort(func(c Command, a int) []byte {
		switch c {
		case CmdFind:
			return frame(t, StatusFound, []byte{0, 0, 0, 0})
		case CmdSelect:
			return frame(t, StatusSuccess, make([]byte, 8))
		case CmdReadBase:
			d, _ := EncodeBase(text, photo, nil, false)
			return frame(t, StatusSuccess, d)
		case CmdReadBaseFP:
			if !fpSupported {
				return frame(t, StatusCommand, nil)
			}
			d, _ := EncodeBase(text, photo, bytes.Repeat([]byte{2}, FingerprintSize), true)
			return frame(t, StatusSuccess, d)
		case CmdSAMID:
			return frame(t, StatusSuccess, samID)
		case CmdReset, CmdSAMStatus:
			return frame(t, StatusSuccess, nil)
		}
		return frame(t, StatusCommand, nil)
	})
	ctx := context.Background()
	d, _ := New(p, fastOpts())
	got, err := d.ReadCard(ctx)
	if err != nil || got.Name != "刘䶮" || len(got.Photo) != PhotoSize || got.Fingerprint != nil {
		t.Errorf("ReadCard = %+v, %v", got.Name, err)
	}
	o := fastOpts()
	o.Fingerprint = true
	d, _ = New(p, o)
	got, err = d.ReadCard(ctx)
	if err != nil || len(got.Fingerprint) != FingerprintSize {
		t.Errorf("ReadCard with fingerprint: %d bytes, %v", len(got.Fingerprint), err)
	}
	fpSupported = false
	got, err = d.ReadCard(ctx)
	if err != nil || got.Name != "刘䶮" || got.Fingerprint != nil {
		t.Errorf("ReadCard falling back to 30 01: %v", err)
	}
	id, err := d.SAMID(ctx)
	if err != nil || id != "05.01-20212813-0000012345-1234567890" {
		t.Errorf("SAMID = %q, %v", id, err)
	}
	if err := d.Reset(ctx); err != nil {
		t.Error(err)
	}
	if err := d.SAMStatus(ctx); err != nil {
		t.Error(err)
	}
	if _, err := FormatSAMID(samID[:15]); !errors.Is(err, ErrLength) {
		t.Errorf("short SAM ID: %v", err)
	}
	if err := d.Close(); err != nil || !p.closed {
		t.Errorf("Close = %v", err)
	}
}

// reader is a scripted card reader for the loop tests: sticky or not, with a
// card or not.
type reader struct {
	mu       sync.Mutex
	sticky   bool
	serial   byte // 0: no card
	readOnce bool
	text     []byte
}

func (r *reader) answer(t testing.TB) func(Command, int) []byte {
	return func(c Command, _ int) []byte {
		r.mu.Lock()
		defer r.mu.Unlock()
		switch c {
		case CmdFind:
			if r.serial == 0 || (!r.sticky && r.readOnce) {
				return frame(t, StatusNoCard, nil)
			}
			return frame(t, StatusFound, []byte{0, 0, 0, 0})
		case CmdSelect:
			if r.serial == 0 {
				return frame(t, StatusSelectFailed, nil)
			}
			return frame(t, StatusSuccess, bytes.Repeat([]byte{r.serial}, 8))
		case CmdReadBase:
			r.readOnce = true
			d, _ := EncodeBase(r.text, make([]byte, PhotoSize), nil, false)
			return frame(t, StatusSuccess, d)
		}
		return frame(t, StatusCommand, nil)
	}
}

func (r *reader) place(serial byte) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.serial, r.readOnce = serial, false
}

// TestWatchPlacements drives the loop through a script of placements with a
// scripted reader, poll by poll, and counts the events.
func TestWatchPlacements(t *testing.T) {
	text, _ := EncodeText(devices.Card{Name: "刘䶮"})
	for _, sticky := range []bool{true, false} {
		name := "non-sticky"
		if sticky {
			name = "sticky"
		}
		t.Run(name, func(t *testing.T) {
			r := &reader{sticky: sticky, text: text}
			d, _ := New(newFakePort(r.answer(t)), fastOpts())
			var events []EventKind
			emit := func(e Event) { events = append(events, e.Kind) }
			tr := &tracker{}
			polls := func(n int) {
				for range n {
					if err := d.poll(context.Background(), tr, emit); err != nil {
						t.Fatal(err)
					}
				}
			}
			polls(3) // nothing there
			r.place(1)
			polls(10) // placed, left on the reader
			r.place(0)
			polls(5) // lifted
			r.place(1)
			polls(2) // placed again
			r.place(2)
			polls(5) // swapped for another card between two polls
			// A sticky reader shows the swap at once, by the serial.
			want := []EventKind{EventRead, EventRemoved, EventRead, EventRemoved, EventRead}
			if !sticky {
				// A non-sticky reader reports no card once the card was read:
				// the removal shows after RemoveAfter polls, card or not, and
				// the swapped-in card is found as a new placement.
				want = []EventKind{EventRead, EventRemoved, EventRead, EventRemoved, EventRead, EventRemoved}
			}
			if !equalKinds(events, want) {
				t.Errorf("events %v, want %v", events, want)
			}
		})
	}
}

func equalKinds(a, b []EventKind) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestRunBackoff: a port that cannot be opened is retried with a doubling,
// capped backoff, reported offline once, and online once it opens.
func TestRunBackoff(t *testing.T) {
	text, _ := EncodeText(devices.Card{Name: "x"})
	r := &reader{sticky: true, text: text}
	var waits []time.Duration
	opens := 0
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	o := fastOpts()
	o.Timeout = 200 * time.Millisecond
	o.MinBackoff, o.MaxBackoff = 10*time.Millisecond, 40*time.Millisecond
	o.After = func(d time.Duration) <-chan time.Time {
		if d < 10*time.Millisecond || d > 40*time.Millisecond {
			return time.After(d) // polls and answer timeouts
		}
		waits = append(waits, d) // a backoff: recorded, and over at once
		ch := make(chan time.Time, 1)
		ch <- time.Time{}
		return ch
	}
	var events []EventKind
	err := Run(ctx, func(context.Context) (Port, error) {
		opens++
		if opens < 5 {
			return nil, errors.New("no such device")
		}
		return newFakePort(r.answer(t)), nil
	}, o, func(e Event) {
		events = append(events, e.Kind)
		if e.Kind == EventOnline {
			cancel()
		}
		if s, ok := e.Status(); ok && e.Kind == EventOffline && (s.State != devices.StateOffline || s.Detail == "") {
			t.Errorf("offline status %+v", s)
		}
	})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Run = %v", err)
	}
	wantWaits := []time.Duration{10 * time.Millisecond, 20 * time.Millisecond, 40 * time.Millisecond, 40 * time.Millisecond}
	if len(waits) != len(wantWaits) {
		t.Fatalf("waits %v, want %v", waits, wantWaits)
	}
	for i := range waits {
		if waits[i] != wantWaits[i] {
			t.Errorf("waits %v, want %v", waits, wantWaits)
		}
	}
	if !equalKinds(events, []EventKind{EventOffline, EventOnline}) {
		t.Errorf("events %v", events)
	}
}

// A card whose text cannot be decoded is reported once, as unreadable, and
// not read again on every poll.
func TestWatchUnreadable(t *testing.T) {
	text, _ := EncodeText(devices.Card{Name: "x"})
	text[248] = 'Q' // an unknown layout
	r := &reader{sticky: true, text: text}
	p := newFakePort(r.answer(t))
	d, _ := New(p, fastOpts())
	var events []Event
	tr := &tracker{}
	r.place(1)
	for range 5 {
		if err := d.poll(context.Background(), tr, func(e Event) { events = append(events, e) }); err != nil {
			t.Fatal(err)
		}
	}
	r.place(0)
	for range 3 {
		if err := d.poll(context.Background(), tr, func(e Event) { events = append(events, e) }); err != nil {
			t.Fatal(err)
		}
	}
	if len(events) != 2 || events[0].Kind != EventUnreadable || !errors.Is(events[0].Err, ErrLayout) || events[1].Kind != EventRemoved {
		t.Errorf("events %+v", events)
	}
	if n := p.attempts[CmdReadBase]; n != 1 {
		t.Errorf("read %d times", n)
	}
	for _, k := range []EventKind{EventRead, EventRemoved, EventOnline, EventOffline, EventUnreadable, 0} {
		if k.String() == "" || (k != 0 && k.String() == "unknown") {
			t.Errorf("%d has no name", k)
		}
	}
}
