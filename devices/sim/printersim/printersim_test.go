// SPDX-License-Identifier: AGPL-3.0-or-later

package printersim

import (
	"bytes"
	"context"
	"io"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tarm/serial"
)

func run(t *testing.T, p *Printer) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() {
		if err := p.Run(ctx); err != nil {
			t.Errorf("Run: %v", err)
		}
	})
	t.Cleanup(func() {
		cancel()
		wg.Wait()
		if leak := leaked(); leak != "" {
			t.Errorf("goroutines left after Run returned:\n%s", leak)
		}
	})
}

func leaked() string {
	var leak string
	for range 50 {
		buf := make([]byte, 1<<20)
		buf = buf[:runtime.Stack(buf, true)]
		leak = ""
		for _, g := range strings.Split(string(buf), "\n\n") {
			if strings.Contains(g, "printersim.(*Printer)") {
				leak += g + "\n\n"
			}
		}
		if leak == "" {
			return ""
		}
		time.Sleep(10 * time.Millisecond)
	}
	return leak
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	t.Cleanup(cancel)
	return c
}

// exchange writes the requests and reads want bytes back.
func exchange(t *testing.T, rw io.ReadWriter, req []byte, want int) []byte {
	t.Helper()
	if _, err := rw.Write(req); err != nil {
		t.Fatal(err)
	}
	got := make([]byte, 0, want)
	buf := make([]byte, 16)
	deadline := time.Now().Add(3 * time.Second)
	for len(got) < want && time.Now().Before(deadline) {
		n, err := rw.Read(buf)
		got = append(got, buf[:n]...)
		if err != nil && err != io.EOF {
			t.Fatal(err)
		}
	}
	return got
}

var statusReq = []byte{0x10, 0x04, 1, 0x10, 0x04, 2, 0x10, 0x04, 3, 0x10, 0x04, 4}

func TestTCP(t *testing.T) {
	file := filepath.Join(t.TempDir(), "printed.bin")
	p, err := New(&Opts{File: file})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(p.Addr(), "127.0.0.1:") || p.URI() != "tcp://"+p.Addr() || p.Path() != "" || p.SerialURI() != "" {
		t.Fatalf("addr %q uri %q path %q", p.Addr(), p.URI(), p.Path())
	}
	run(t, p)
	c, err := net.Dial("tcp", p.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()

	for _, tc := range []struct {
		name string
		set  func(bool)
		want [4]byte
	}{
		{"ok", func(bool) {}, [4]byte{0x12, 0x12, 0x12, 0x12}},
		{"paper out", p.SetPaperOut, [4]byte{0x1A, 0x32, 0x12, 0x72}},
		{"near end", p.SetPaperNearEnd, [4]byte{0x12, 0x12, 0x12, 0x1E}},
		{"cover open", p.SetCoverOpen, [4]byte{0x1A, 0x16, 0x12, 0x12}},
		{"offline", p.SetOffline, [4]byte{0x1A, 0x12, 0x12, 0x12}},
		{"fault", p.SetFault, [4]byte{0x1A, 0x52, 0x1A, 0x12}},
	} {
		tc.set(true)
		if got := exchange(t, c, statusReq, 4); !bytes.Equal(got, tc.want[:]) {
			t.Errorf("%s: answered % x, want % x", tc.name, got, tc.want)
		}
		if p.StatusBytes() != tc.want {
			t.Errorf("%s: StatusBytes % x", tc.name, p.StatusBytes())
		}
		tc.set(false)
	}
	if q := p.Queries(); q != 24 {
		t.Errorf("%d queries, want 24", q)
	}

	// Two jobs; a raster image holding ESC @ and DLE EOT bytes as data must
	// neither split a job nor be answered.
	job1 := []byte("\x1b@\x1c&hello\n\x1dv0\x00\x02\x00\x02\x00\x1b@\x10\x04\x01\n")
	job2 := []byte("\x1b@second\n\x1dVB\x00")
	if _, err := c.Write(append(append([]byte{}, job1...), job2...)); err != nil {
		t.Fatal(err)
	}
	if err := p.WaitBytes(ctx(t), len(job1)+len(job2)); err != nil {
		t.Fatal(err)
	}
	jobs := p.Jobs()
	if len(jobs) != 2 || !bytes.Equal(jobs[0], job1) || !bytes.Equal(jobs[1], job2) {
		t.Errorf("jobs %q", jobs)
	}
	if q := p.Queries(); q != 24 {
		t.Errorf("raster data answered as a query: %d queries", q)
	}
	// Unknown bytes are recorded and skipped, as a printer would.
	if _, err := c.Write([]byte{0x07, 0x1b, 'z', 0x10, 0x04, 0x01}); err != nil {
		t.Fatal(err)
	}
	if got := exchange(t, c, nil, 1); !bytes.Equal(got, []byte{0x12}) {
		t.Errorf("after junk: % x", got)
	}
	if b, _ := os.ReadFile(file); !bytes.HasPrefix(b, append(append([]byte{}, job1...), job2...)) {
		t.Errorf("file holds %q", b)
	}

	p.Reset()
	if len(p.Jobs()) != 0 || len(p.Bytes()) != 0 || p.Queries() != 0 {
		t.Error("Reset kept something")
	}
}

func TestSilentDoesNotAnswer(t *testing.T) {
	p, err := New(nil)
	if err != nil {
		t.Fatal(err)
	}
	run(t, p)
	c, err := net.Dial("tcp", p.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	p.SetSilent(true)
	if _, err := c.Write(statusReq); err != nil {
		t.Fatal(err)
	}
	c.SetReadDeadline(time.Now().Add(200 * time.Millisecond))
	if n, err := c.Read(make([]byte, 4)); n != 0 || err == nil {
		t.Errorf("silent printer answered %d bytes (%v)", n, err)
	}
	if q := p.Queries(); q != 4 {
		t.Errorf("%d queries counted", q)
	}
}

func TestPTY(t *testing.T) {
	p, err := New(&Opts{NoTCP: true, PTY: true})
	if err != nil {
		t.Fatal(err)
	}
	if p.Addr() != "" || !strings.HasPrefix(p.Path(), "/dev/pts/") || p.SerialURI() != "serial://"+p.Path()+"?baud=9600" {
		t.Fatalf("addr %q path %q", p.Addr(), p.Path())
	}
	run(t, p)
	port, err := serial.OpenPort(&serial.Config{Name: p.Path(), Baud: 9600, ReadTimeout: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer port.Close()
	p.SetPaperOut(true)
	if got := exchange(t, port, statusReq, 4); !bytes.Equal(got, []byte{0x1A, 0x32, 0x12, 0x72}) {
		t.Errorf("answered % x", got)
	}
	// Every byte value crosses the pty unchanged (raw mode: no CR/LF
	// translation, no echo, no flow control).
	var job bytes.Buffer
	job.WriteString("\x1b@")
	job.Write([]byte{0x1d, 'v', '0', 0, 1, 0, 0, 1})
	for i := range 256 {
		job.WriteByte(byte(i))
	}
	job.WriteString("a\r\nb\n")
	if _, err := port.Write(job.Bytes()); err != nil {
		t.Fatal(err)
	}
	if err := p.WaitBytes(ctx(t), job.Len()); err != nil {
		t.Fatal(err)
	}
	if got := p.Bytes(); !bytes.Equal(got, job.Bytes()) {
		t.Errorf("got %q, want %q", got, job.Bytes())
	}
	// Nothing echoed back: the read times out (VTIME) empty.
	if n, _ := port.Read(make([]byte, 16)); n != 0 {
		t.Errorf("%d bytes echoed", n)
	}
}

func TestCloseWithoutRun(t *testing.T) {
	p, err := New(&Opts{PTY: true, File: filepath.Join(t.TempDir(), "f")})
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	if err := p.Run(context.Background()); err == nil {
		t.Error("Run after Close: no error")
	}
	if _, err := New(&Opts{Addr: "256.0.0.1:0"}); err == nil {
		t.Error("bad address: no error")
	}
}
