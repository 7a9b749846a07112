// SPDX-License-Identifier: AGPL-3.0-or-later

package hid_test

import (
	"bytes"
	"context"
	"errors"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"yichuang/devices"
	"yichuang/devices/hid"
	"yichuang/devices/sim/hidsim"
)

func testCtx(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func openSim(t *testing.T, d *hidsim.Device, o *hid.Opts) *hid.Dev {
	t.Helper()
	h, err := d.Open()
	if err != nil {
		t.Fatal(err)
	}
	dev, err := hid.New(h, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { dev.Close() })
	return dev
}

func TestDevReadReport(t *testing.T) {
	ctx := testCtx(t)
	sim := hidsim.NewDevice(hidsim.PadInfo())
	var mu sync.Mutex
	now := t0
	dev := openSim(t, sim, &hid.Opts{Now: func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		now = now.Add(time.Second)
		return now
	}})
	sim.Send([]byte{1, 2, 3}, []byte{4})
	for i, want := range [][]byte{{1, 2, 3}, {4}} {
		b, at, err := dev.ReadReport(ctx)
		if err != nil || !bytes.Equal(b, want) {
			t.Fatalf("report %d: % X, %v", i, b, err)
		}
		if !at.Equal(t0.Add(time.Duration(i+1) * time.Second)) {
			t.Errorf("report %d stamped %v", i, at)
		}
	}

	// Nothing to read: the context ends the wait, the device stays usable.
	cctx, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
	defer cancel()
	if _, _, err := dev.ReadReport(cctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("ReadReport = %v", err)
	}
	sim.Send([]byte{5})
	if b, _, err := dev.ReadReport(ctx); err != nil || !bytes.Equal(b, []byte{5}) {
		t.Fatalf("after a timeout: % X, %v", b, err)
	}

	// Close wakes the blocked reader and ends its goroutine.
	if err := dev.Close(); err != nil {
		t.Fatal(err)
	}
	if sim.IsOpen() {
		t.Error("the device is still open")
	}
	if _, _, err := dev.ReadReport(ctx); !errors.Is(err, hid.ErrClosed) {
		t.Fatalf("after Close: %v", err)
	}
	if err := dev.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
}

func TestDevCloseBeforeRead(t *testing.T) {
	sim := hidsim.NewDevice(hidsim.PadInfo())
	dev := openSim(t, sim, nil)
	dev.Close()
	if _, _, err := dev.ReadReport(context.Background()); !errors.Is(err, hid.ErrClosed) {
		t.Fatalf("ReadReport = %v", err)
	}
	if _, err := hid.New(nil, nil); err == nil {
		t.Fatal("New(nil) worked")
	}
}

func TestDevUnplugged(t *testing.T) {
	ctx := testCtx(t)
	sim := hidsim.NewDevice(hidsim.PadInfo())
	dev := openSim(t, sim, nil)
	sim.Send([]byte{1})
	if _, _, err := dev.ReadReport(ctx); err != nil {
		t.Fatal(err)
	}
	go func() {
		time.Sleep(10 * time.Millisecond)
		sim.Unplug()
	}()
	_, _, err := dev.ReadReport(ctx)
	if !errors.Is(err, hidsim.ErrUnplugged) || !strings.HasPrefix(err.Error(), "hid: read: ") {
		t.Fatalf("ReadReport = %v", err)
	}
	// The error stays.
	if _, _, err2 := dev.ReadReport(ctx); !errors.Is(err2, hidsim.ErrUnplugged) {
		t.Fatalf("second ReadReport = %v", err2)
	}
}

// zeroReader answers every read at once with nothing.
type zeroReader struct{ reads chan struct{} }

func (z zeroReader) Read([]byte) (int, error) {
	select {
	case z.reads <- struct{}{}:
	default:
	}
	return 0, nil
}
func (zeroReader) Close() error { return nil }

func TestDevZeroReadsDoNotSpin(t *testing.T) {
	z := zeroReader{reads: make(chan struct{}, 1000)}
	dev, _ := hid.New(z, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	dev.ReadReport(ctx)
	dev.Close()
	if n := len(z.reads); n > 30 {
		t.Fatalf("%d reads in 50 ms", n)
	}
}

// recorder collects what a Run loop reports.
type recorder struct {
	mu       sync.Mutex
	statuses []devices.Status
	keys     []hid.Key
	scans    []hid.Scan
	errs     []error
	changed  chan struct{}
}

func newRecorder() *recorder { return &recorder{changed: make(chan struct{}, 1)} }

func (r *recorder) poke() {
	select {
	case r.changed <- struct{}{}:
	default:
	}
}

func (r *recorder) status(s devices.Status) {
	r.mu.Lock()
	r.statuses = append(r.statuses, s)
	r.mu.Unlock()
	r.poke()
}

func (r *recorder) key(k hid.Key) {
	r.mu.Lock()
	r.keys = append(r.keys, k)
	r.mu.Unlock()
	r.poke()
}

func (r *recorder) scan(s hid.Scan) {
	r.mu.Lock()
	r.scans = append(r.scans, s)
	r.mu.Unlock()
	r.poke()
}

func (r *recorder) err(err error) {
	r.mu.Lock()
	r.errs = append(r.errs, err)
	r.mu.Unlock()
	r.poke()
}

func (r *recorder) states() []devices.State {
	r.mu.Lock()
	defer r.mu.Unlock()
	var s []devices.State
	for _, st := range r.statuses {
		s = append(s, st.State)
	}
	return s
}

func (r *recorder) levels() []int {
	r.mu.Lock()
	defer r.mu.Unlock()
	var l []int
	for _, k := range r.keys {
		l = append(l, k.Level)
	}
	return l
}

func (r *recorder) data() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var d []string
	for _, s := range r.scans {
		d = append(d, s.Data)
	}
	return d
}

// waitFor waits until cond holds.
func (r *recorder) waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.After(5 * time.Second)
	for !cond() {
		select {
		case <-r.changed:
		case <-time.After(5 * time.Millisecond):
		case <-deadline:
			t.Fatalf("timed out waiting for %s (statuses %v, levels %v, scans %q)", what, r.states(), r.levels(), r.data())
		}
	}
}

func fastOpts(r *recorder) *hid.Opts {
	return &hid.Opts{MinBackoff: time.Millisecond, MaxBackoff: 4 * time.Millisecond, Errors: r.err}
}

func padSelector() hid.Selector {
	return hid.Selector{VendorID: hidsim.VendorID, ProductID: hidsim.PadProductID, Interface: hid.AnyInterface}
}

func TestRunPadUnplugReplug(t *testing.T) {
	ctx, cancel := context.WithCancel(testCtx(t))
	defer cancel()
	bus := hidsim.NewBus()
	km := keyMap(t, "keyboard")
	dec, err := hid.NewKeyDecoder(km, 0)
	if err != nil {
		t.Fatal(err)
	}
	press := func(d *hidsim.Device, level int) {
		t.Helper()
		r, err := hidsim.PadPress(km, level)
		if err != nil {
			t.Fatal(err)
		}
		d.Send(r...)
	}
	r := newRecorder()
	done := make(chan error, 1)
	go func() { done <- hid.RunPad(ctx, hid.Find(bus, padSelector()), fastOpts(r), dec, r.key, r.status) }()

	// Not plugged in yet: offline once, however often it looks.
	r.waitFor(t, "offline", func() bool { return len(r.states()) == 1 })
	if err := bus.WaitEnumerations(ctx, 5); err != nil {
		t.Fatal(err)
	}
	first := r.statuses[0]
	if first.Device != "rating_pad" || first.State != devices.StateOffline || !strings.Contains(first.Detail, "no such device") {
		t.Fatalf("first status %+v", first)
	}

	pad := bus.Plug(hidsim.PadInfo())
	r.waitFor(t, "online", func() bool { return len(r.states()) == 2 })
	press(pad, 5)
	press(pad, 4)
	r.waitFor(t, "two keys", func() bool { return len(r.levels()) == 2 })

	// Unplugged with a key held: offline once while it is away.
	pad.Send(hid.KeyboardReport(0, hid.Usage1))
	r.waitFor(t, "a third key", func() bool { return len(r.levels()) == 3 })
	bus.Unplug(pad.Info().Path)
	r.waitFor(t, "offline again", func() bool { return len(r.states()) == 3 })
	n := bus.Enumerations()
	if err := bus.WaitEnumerations(ctx, n+5); err != nil {
		t.Fatal(err)
	}

	// Replugged: found again, online once, keys again (the key held
	// before the unplug is not held any more).
	pad = bus.Plug(hidsim.PadInfo())
	r.waitFor(t, "online again", func() bool { return len(r.states()) == 4 })
	press(pad, 1)
	press(pad, 3)
	r.waitFor(t, "five keys", func() bool { return len(r.levels()) == 5 })
	if err := pad.WaitIdle(ctx); err != nil {
		t.Fatal(err)
	}

	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("RunPad = %v", err)
	}
	if got, want := r.states(), []devices.State{devices.StateOffline, devices.StateOK, devices.StateOffline, devices.StateOK}; !reflect.DeepEqual(got, want) {
		t.Errorf("statuses %v, want %v", got, want)
	}
	if got, want := r.levels(), []int{5, 4, 1, 1, 3}; !reflect.DeepEqual(got, want) {
		t.Errorf("levels %v, want %v", got, want)
	}
	if !strings.Contains(r.statuses[2].Detail, "unplugged") {
		t.Errorf("offline detail %q", r.statuses[2].Detail)
	}
	if pad.IsOpen() {
		t.Error("the pad is still open after Run returned")
	}
	if pad.Opens() != 1 {
		t.Errorf("opened %d times", pad.Opens())
	}
}

func TestRunBackoff(t *testing.T) {
	ctx, cancel := context.WithCancel(testCtx(t))
	defer cancel()
	var waits []time.Duration
	var statuses []devices.Status
	ready := make(chan time.Time, 1)
	after := func(d time.Duration) <-chan time.Time {
		waits = append(waits, d)
		if len(waits) == 7 {
			cancel()
		}
		ready <- time.Time{}
		return ready
	}
	boom := errors.New("permission denied")
	opens := 0
	clock := t0
	open := func(context.Context) (hid.Device, hid.Info, error) {
		opens++
		if opens == 6 {
			d := hidsim.NewDevice(hidsim.ReaderInfo())
			h, err := d.Open()
			if err != nil {
				t.Fatal(err)
			}
			return h, d.Info(), nil
		}
		return nil, hid.Info{}, boom
	}
	o := &hid.Opts{Name: "x", MinBackoff: 100 * time.Millisecond, MaxBackoff: time.Second, After: after,
		Now: func() time.Time { return clock }}
	err := hid.Run(ctx, open, o, func(ctx context.Context, d *hid.Dev) error {
		// A connection that lasted 10 s: the backoff starts again.
		clock = clock.Add(10 * time.Second)
		return errors.New("gone")
	}, func(s devices.Status) { statuses = append(statuses, s) })
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Run = %v", err)
	}
	ms := time.Millisecond
	if want := []time.Duration{100 * ms, 200 * ms, 400 * ms, 800 * ms, time.Second, 100 * ms, 200 * ms}; !reflect.DeepEqual(waits, want) {
		t.Errorf("waits %v, want %v", waits, want)
	}
	var states []devices.State
	for _, s := range statuses {
		states = append(states, s.State)
		if s.Device != "x" || s.At.IsZero() {
			t.Errorf("status %+v", s)
		}
	}
	if want := []devices.State{devices.StateOffline, devices.StateOK, devices.StateOffline}; !reflect.DeepEqual(states, want) {
		t.Errorf("states %v, want %v", states, want)
	}
	if statuses[0].Detail != boom.Error() {
		t.Errorf("detail %q", statuses[0].Detail)
	}
}

func TestRunScanner(t *testing.T) {
	long := "https://zwfw.example.gov.cn/appointments/check-in?code=YY20240601A007&window=3&sig=0123456789abcdef"
	tests := []struct {
		mode hid.ScanMode
		scan func(t *testing.T, s string) [][]byte
	}{
		{hid.ModePOS, func(t *testing.T, s string) [][]byte { return hidsim.POSScan(hid.DefaultPOSFormat(), []byte(s)) }},
		{hid.ModeKeyboard, mustKeyboardScan},
	}
	for _, tt := range tests {
		t.Run(string(tt.mode), func(t *testing.T) {
			ctx, cancel := context.WithCancel(testCtx(t))
			defer cancel()
			bus := hidsim.NewBus()
			qr := bus.Plug(hidsim.ReaderInfo())
			dec, err := hid.NewScanDecoder(&hid.ScanOpts{Mode: tt.mode, Timeout: 30 * time.Millisecond})
			if err != nil {
				t.Fatal(err)
			}
			r := newRecorder()
			sel := hid.Selector{VendorID: hidsim.VendorID, ProductID: hidsim.ReaderProductID, Interface: hid.AnyInterface}
			done := make(chan error, 1)
			go func() { done <- hid.RunScanner(ctx, hid.Find(bus, sel), fastOpts(r), dec, r.scan, r.status) }()
			r.waitFor(t, "online", func() bool { return len(r.states()) == 1 })

			qr.Send(tt.scan(t, long)...)
			qr.Send(tt.scan(t, "A012")...)
			r.waitFor(t, "two scans", func() bool { return len(r.data()) == 2 })

			// Half a scan and nothing after it: dropped at its deadline.
			half := tt.scan(t, long)
			qr.Send(half[:len(half)/2]...)
			r.waitFor(t, "a dropped scan", func() bool {
				r.mu.Lock()
				defer r.mu.Unlock()
				return len(r.errs) == 1
			})
			if !errors.Is(r.errs[0], hid.ErrTimeout) {
				t.Fatalf("error %v", r.errs[0])
			}
			qr.Send(tt.scan(t, "B007")...)
			r.waitFor(t, "three scans", func() bool { return len(r.data()) == 3 })

			// A half scan when the reader is unplugged is not delivered
			// after the replug.
			qr.Send(half[:len(half)/2]...)
			if err := qr.WaitIdle(ctx); err != nil {
				t.Fatal(err)
			}
			bus.Unplug(qr.Info().Path)
			r.waitFor(t, "offline", func() bool { return len(r.states()) == 2 })
			qr = bus.Plug(hidsim.ReaderInfo())
			r.waitFor(t, "online", func() bool { return len(r.states()) == 3 })
			qr.Send(half[len(half)/2:]...)
			qr.Send(tt.scan(t, "C001")...)
			r.waitFor(t, "four scans", func() bool { return len(r.data()) >= 4 && r.data()[len(r.data())-1] == "C001" })

			cancel()
			if err := <-done; !errors.Is(err, context.Canceled) {
				t.Fatalf("RunScanner = %v", err)
			}
			got := r.data()
			if want := []string{long, "A012", "B007"}; !reflect.DeepEqual(got[:3], want) {
				t.Errorf("scans %q, want %q first", got, want)
			}
			for _, s := range got[3 : len(got)-1] {
				if s == long {
					t.Errorf("a scan cut by the unplug came whole: %q", got)
				}
			}
			if r.statuses[0].Device != "qr_reader" {
				t.Errorf("device name %q", r.statuses[0].Device)
			}
		})
	}
}

func TestFind(t *testing.T) {
	ctx := context.Background()
	bus := hidsim.NewBus()
	kbd := hid.Info{Path: "b", VendorID: 0x0c2e, ProductID: 0x0b61, Interface: 0, Serial: "S1"}
	pos := hid.Info{Path: "a", VendorID: 0x0c2e, ProductID: 0x0b61, Interface: 1, Serial: "S1"}
	other := hid.Info{Path: "c", VendorID: 0x0c2e, ProductID: 0x0b61, Interface: 0, Serial: "S2"}
	bus.Plug(pos)
	bus.Plug(kbd)
	bus.Plug(other)
	tests := []struct {
		sel  string
		set  func(*hid.Selector)
		want string
	}{
		{"0c2e:0b61", nil, "b"}, // lowest interface, then path
		{"0c2e:0b61/1", nil, "a"},
		{"0c2e:0b61/0", func(s *hid.Selector) { s.Serial = "S2" }, "c"},
		{"0c2e:0b62", nil, ""},
		{"0c2e:0b61/2", nil, ""},
	}
	for _, tt := range tests {
		sel, err := hid.ParseSelector(tt.sel)
		if err != nil {
			t.Fatal(err)
		}
		if tt.set != nil {
			tt.set(&sel)
		}
		d, info, err := hid.Find(bus, sel)(ctx)
		if tt.want == "" {
			if !errors.Is(err, hid.ErrNotFound) {
				t.Errorf("%s: %v", tt.sel, err)
			}
			continue
		}
		if err != nil || info.Path != tt.want {
			t.Errorf("%s: %v, %v; want %s", tt.sel, info, err, tt.want)
			continue
		}
		d.Close()
	}
	// Open twice: the interface is claimed.
	d, _, err := hid.Find(bus, hid.Selector{Interface: 1})(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := hid.Find(bus, hid.Selector{Interface: 1})(ctx); !errors.Is(err, hidsim.ErrBusy) {
		t.Errorf("second open: %v", err)
	}
	d.Close()
	bus.SetEnumerateError(errors.New("LIBUSB_ERROR_ACCESS"))
	if _, _, err := hid.Find(bus, hid.Selector{Interface: 1})(ctx); err == nil || !strings.Contains(err.Error(), "ACCESS") {
		t.Errorf("enumerate error: %v", err)
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, _, err := hid.Find(bus, hid.Selector{})(cctx); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
}

func TestParseSelector(t *testing.T) {
	tests := []struct {
		in   string
		want hid.Selector
		ok   bool
	}{
		{"1a86:e026", hid.Selector{VendorID: 0x1a86, ProductID: 0xe026, Interface: hid.AnyInterface}, true},
		{"usb://0C2E:0B61/1", hid.Selector{VendorID: 0x0c2e, ProductID: 0x0b61, Interface: 1}, true},
		{" 0x1209:0x0001 ", hid.Selector{VendorID: 0x1209, ProductID: 1, Interface: hid.AnyInterface}, true},
		{"1a86", hid.Selector{}, false},
		{"1a86:", hid.Selector{}, false},
		{"1a86:xyz", hid.Selector{}, false},
		{"12345:1", hid.Selector{}, false},
		{"1a86:e026/x", hid.Selector{}, false},
		{"1a86:e026/300", hid.Selector{}, false},
	}
	for _, tt := range tests {
		got, err := hid.ParseSelector(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("ParseSelector(%q) = %+v, %v", tt.in, got, err)
		}
		if tt.ok {
			if again, err := hid.ParseSelector(got.String()); err != nil || again != got {
				t.Errorf("String round trip of %q: %q", tt.in, got.String())
			}
		}
	}
}

// The real bus: on a machine with cgo it enumerates (nothing matches the
// test IDs); without cgo it says so.
func TestUSBEnumerate(t *testing.T) {
	infos, err := hid.USB().Enumerate(hidsim.VendorID, 0xFFFE)
	if errors.Is(err, hid.ErrUnsupported) {
		t.Skip("built without cgo")
	}
	if err != nil {
		t.Fatal(err)
	}
	if len(infos) != 0 {
		t.Errorf("found %v", infos)
	}
	if _, _, err := hid.Find(hid.USB(), hid.Selector{VendorID: hidsim.VendorID, ProductID: 0xFFFE, Interface: hid.AnyInterface})(context.Background()); !errors.Is(err, hid.ErrNotFound) {
		t.Errorf("Find = %v", err)
	}
}
