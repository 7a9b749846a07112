// SPDX-License-Identifier: AGPL-3.0-or-later

package escpos_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"yichuang/devices"
	"yichuang/devices/escpos"
	"yichuang/devices/sim/printersim"
)

// TestMain fails the run if a test left a goroutine of ours behind.
func TestMain(m *testing.M) {
	code := m.Run()
	if code == 0 {
		if leak := leakedGoroutines(); leak != "" {
			os.Stderr.WriteString("leaked goroutines:\n" + leak)
			code = 1
		}
	}
	os.Exit(code)
}

func leakedGoroutines() string {
	var leak string
	for range 50 {
		buf := make([]byte, 1<<20)
		buf = buf[:runtime.Stack(buf, true)]
		leak = ""
		for _, g := range strings.Split(string(buf), "\n\n") {
			if strings.Contains(g, "yichuang/devices") && !strings.Contains(g, "TestMain") && !strings.Contains(g, "leakedGoroutines") {
				leak += g + "\n\n"
			}
		}
		if leak == "" {
			return ""
		}
		time.Sleep(20 * time.Millisecond)
	}
	return leak
}

func ticket() devices.Ticket {
	return devices.Ticket{
		Hall: "韩江区政务服务中心", ZoneName: "综合受理区", Number: "B031", WaitingAhead: 3,
		IssuedAt:  time.Date(2025, 3, 14, 14, 2, 0, 0, time.UTC),
		StatusURL: "https://hall.example.gov.cn/q/B031?k=0c1d",
		Notices:   []string{"过号请重新取号。"},
	}
}

// startSim runs a simulator for the test's lifetime.
func startSim(t *testing.T, o *printersim.Opts) *printersim.Printer {
	t.Helper()
	p, err := printersim.New(o)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() {
		if err := p.Run(ctx); err != nil {
			t.Errorf("sim: %v", err)
		}
	})
	t.Cleanup(func() { cancel(); wg.Wait() })
	return p
}

// open opens a Dev on uri with a short status timeout.
func open(t *testing.T, uri string, o *escpos.Opts) *escpos.Dev {
	t.Helper()
	tr, err := escpos.Open(context.Background(), uri)
	if err != nil {
		t.Fatal(err)
	}
	opts := escpos.DefaultOpts()
	opts.StatusTimeout = 300 * time.Millisecond
	if o != nil {
		opts = *o
	}
	d, err := escpos.New(tr, &opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

func waitCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// transports runs f against the simulator over TCP and over a pty, the
// latter opened through tarm/serial.
func transports(t *testing.T, f func(t *testing.T, sim *printersim.Printer, uri string)) {
	t.Run("tcp", func(t *testing.T) {
		t.Parallel()
		sim := startSim(t, nil)
		f(t, sim, sim.URI())
	})
	t.Run("pty", func(t *testing.T) {
		t.Parallel()
		sim := startSim(t, &printersim.Opts{NoTCP: true, PTY: true})
		f(t, sim, sim.SerialURI())
	})
}

func TestPrintTicket(t *testing.T) {
	transports(t, func(t *testing.T, sim *printersim.Printer, uri string) {
		d := open(t, uri, nil)
		if !d.CanStatus() {
			t.Fatal("no status over " + uri)
		}
		ctx := waitCtx(t)
		st, err := d.Status(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if st.Err() != nil || st.State() != devices.StateOK {
			t.Errorf("status %v", st)
		}
		job, err := escpos.LayoutTicket(ticket(), nil)
		if err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		if err := d.PrintTicket(ctx, ticket()); err != nil {
			t.Fatal(err)
		}
		if err := sim.WaitBytes(ctx, len(job)); err != nil {
			t.Fatal(err)
		}
		t.Logf("%s: %d-byte raster-QR ticket printed in %v", uri[:3], len(job), time.Since(start).Round(time.Millisecond))
		jobs := sim.Jobs()
		if len(jobs) != 1 || !bytes.Equal(jobs[0], job) {
			t.Errorf("the simulator got %d jobs, the first %d bytes; want 1 of %d bytes", len(jobs), len(jobs[0]), len(job))
		}
		if q := sim.Queries(); q != 8 {
			t.Errorf("%d status requests, want 8 (Status, then Print)", q)
		}
	})
}

func TestPrintRefused(t *testing.T) {
	for _, tc := range []struct {
		name string
		set  func(*printersim.Printer)
		want error
	}{
		{"paper out", func(p *printersim.Printer) { p.SetPaperOut(true) }, escpos.ErrPaperOut},
		{"cover open", func(p *printersim.Printer) { p.SetCoverOpen(true) }, escpos.ErrCoverOpen},
		{"offline", func(p *printersim.Printer) { p.SetOffline(true) }, escpos.ErrOffline},
		{"fault", func(p *printersim.Printer) { p.SetFault(true) }, escpos.ErrFault},
		{"silent", func(p *printersim.Printer) { p.SetSilent(true) }, escpos.ErrNoAnswer},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			transports(t, func(t *testing.T, sim *printersim.Printer, uri string) {
				d := open(t, uri, nil)
				tc.set(sim)
				err := d.PrintTicket(waitCtx(t), ticket())
				if !errors.Is(err, tc.want) {
					t.Fatalf("Print: %v, want %v", err, tc.want)
				}
				if tc.name == "silent" && !errors.Is(err, escpos.ErrOffline) {
					t.Errorf("no answer is not ErrOffline: %v", err)
				}
				if b := sim.Bytes(); len(b) != 0 {
					t.Errorf("%d bytes printed after %v", len(b), err)
				}
			})
		})
	}
}

func TestStatusOverSim(t *testing.T) {
	transports(t, func(t *testing.T, sim *printersim.Printer, uri string) {
		d := open(t, uri, nil)
		ctx := waitCtx(t)
		sim.SetPaperOut(true)
		sim.SetPaperNearEnd(true)
		st, err := d.Status(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if !st.PaperOut || !st.PaperNearEnd || !st.Offline || st.State() != devices.StatePaperOut {
			t.Errorf("status %+v", st)
		}
		if st.Raw != sim.StatusBytes() {
			t.Errorf("raw % x, the simulator sent % x", st.Raw, sim.StatusBytes())
		}

		// Near end only: prints.
		sim.SetPaperOut(false)
		if err := d.Print(ctx, []byte("\x1b@near end\n")); err != nil {
			t.Fatal(err)
		}
		if err := sim.WaitBytes(ctx, 11); err != nil {
			t.Fatal(err)
		}

		// A printer that stops answering, then answers again: the late
		// answers must not confuse the next request.
		sim.SetSilent(true)
		start := time.Now()
		if _, err := d.Status(ctx); !errors.Is(err, escpos.ErrNoAnswer) {
			t.Fatalf("silent printer: %v", err)
		}
		if el := time.Since(start); el > 2*time.Second {
			t.Errorf("a silent printer took %v to time out", el)
		}
		sim.SetSilent(false)
		st, err = d.Status(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if st.Err() != nil || !st.PaperNearEnd {
			t.Errorf("status after silence %+v", st)
		}
	})
}

func TestContextCancel(t *testing.T) {
	transports(t, func(t *testing.T, sim *printersim.Printer, uri string) {
		opts := escpos.DefaultOpts()
		opts.StatusTimeout = time.Minute
		d := open(t, uri, &opts)
		sim.SetSilent(true)
		ctx, cancel := context.WithTimeout(context.Background(), 150*time.Millisecond)
		defer cancel()
		start := time.Now()
		_, err := d.Status(ctx)
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("Status: %v, want context.DeadlineExceeded", err)
		}
		if el := time.Since(start); el > 2*time.Second {
			t.Errorf("Status took %v after the context ended", el)
		}
		// An explicit cancel interrupts too.
		ctx, cancel = context.WithCancel(context.Background())
		time.AfterFunc(100*time.Millisecond, cancel)
		if _, err := d.Status(ctx); !errors.Is(err, context.Canceled) {
			t.Errorf("Status: %v, want context.Canceled", err)
		}
		// And the Dev still works afterwards.
		sim.SetSilent(false)
		if err := d.Print(waitCtx(t), []byte("\x1b@ok\n")); err != nil {
			t.Fatal(err)
		}
	})
}

func TestNoStatus(t *testing.T) {
	sim := startSim(t, nil)
	opts := escpos.DefaultOpts()
	opts.NoStatus = true
	d := open(t, sim.URI(), &opts)
	sim.SetPaperOut(true) // not asked, so not known
	if d.CanStatus() {
		t.Error("NoStatus Dev claims status")
	}
	if _, err := d.Status(context.Background()); !errors.Is(err, escpos.ErrNoStatus) {
		t.Errorf("Status: %v", err)
	}
	if err := d.Print(waitCtx(t), []byte("\x1b@x\n")); err != nil {
		t.Fatal(err)
	}
	if err := sim.WaitBytes(waitCtx(t), 4); err != nil {
		t.Fatal(err)
	}
	if sim.Queries() != 0 {
		t.Errorf("%d status requests", sim.Queries())
	}
}

// writerOnly hides everything but Write.
type writerOnly struct{ io.Writer }

func TestWriterTransport(t *testing.T) {
	var buf bytes.Buffer
	o := escpos.DefaultOpts()
	o.Layout = escpos.DefaultLayout(escpos.Paper80)
	o.Layout.NativeQR = true
	d, err := escpos.New(writerOnly{&buf}, &o)
	if err != nil {
		t.Fatal(err)
	}
	if err := d.PrintReceipt(context.Background(), escpos.Receipt{Head: []escpos.Line{{Text: "回执"}}, QR: "x"}); err != nil {
		t.Fatal(err)
	}
	want, _ := escpos.LayoutReceipt(escpos.Receipt{Head: []escpos.Line{{Text: "回执"}}, QR: "x"}, &o.Layout)
	if !bytes.Equal(buf.Bytes(), want) {
		t.Error("the writer did not get the job")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := d.Print(ctx, []byte("x")); !errors.Is(err, context.Canceled) {
		t.Errorf("Print with a cancelled context: %v", err)
	}
	if _, err := escpos.New(nil, nil); err == nil {
		t.Error("New(nil): no error")
	}
	if _, err := escpos.New(&buf, &escpos.Opts{}); err == nil {
		t.Error("New with no paper width: no error")
	}
}
