// SPDX-License-Identifier: AGPL-3.0-or-later

package folder

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"testing"
	"testing/synctest"
	"time"

	"yichuang/devices"
	"yichuang/devices/scanner"
	"yichuang/devices/scanner/scannertest"
)

// pageImage is a small PNG whose first pixel encodes n.
func pageImage(t *testing.T, n int) []byte {
	t.Helper()
	img := image.NewGray(image.Rect(0, 0, 40, 56))
	img.Pix[0] = uint8(n)
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func pageNumber(t *testing.T, p devices.Page) int {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(p.Data))
	if err != nil {
		t.Fatal(err)
	}
	return int(img.(*image.Gray).Pix[0])
}

func write(t *testing.T, path string, b []byte) {
	t.Helper()
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func appendTo(t *testing.T, path string, b []byte) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

func newDev(t *testing.T, o Opts) *Dev {
	t.Helper()
	if o.Dir == "" {
		o.Dir = t.TempDir()
	}
	d, err := New(&o)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

type result struct {
	pages []devices.Page
	err   error
	at    time.Time
}

func scanAsync(d *Dev, r scanner.Request) <-chan result {
	ch := make(chan result, 1)
	go func() {
		pages, err := d.Scan(context.Background(), r, nil)
		ch <- result{pages, err, time.Now()}
	}()
	return ch
}

func TestConformance(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		d := newDev(t, Opts{})
		for n := 1; n <= 3; n++ {
			write(t, filepath.Join(d.opts.Dir, "page-"+string(rune('0'+n))+".png"), pageImage(t, n))
		}
		pages := scannertest.Scan(t, d, scanner.Request{}, 3)
		for i, p := range pages {
			if n := pageNumber(t, p); n != i+1 {
				t.Errorf("page %d is file %d", i+1, n)
			}
		}
		if left, _ := os.ReadDir(d.opts.Dir); len(left) != 0 {
			t.Errorf("left in the folder: %v", left)
		}
	})
}

// A file still growing is not taken; once it has not changed for Stable,
// it is, whole.
func TestPartialFileWaits(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		d := newDev(t, Opts{Stable: time.Second})
		full := pageImage(t, 7)
		path := filepath.Join(d.opts.Dir, "IMG_0001.png")
		write(t, path, full[:20])
		done := scanAsync(d, scanner.Request{Pages: 1})
		for _, chunk := range [][]byte{full[20:40], full[40:]} {
			time.Sleep(700 * time.Millisecond) // less than Stable
			synctest.Wait()
			select {
			case r := <-done:
				t.Fatalf("took a file still being written: %d pages, %v", len(r.pages), r.err)
			default:
			}
			appendTo(t, path, chunk)
		}
		lastWrite := time.Now()
		r := <-done
		if r.err != nil {
			t.Fatal(r.err)
		}
		if !bytes.Equal(r.pages[0].Data, full) || r.pages[0].Format != "png" {
			t.Errorf("took %d bytes (%s), want the whole %d", len(r.pages[0].Data), r.pages[0].Format, len(full))
		}
		if wait := r.at.Sub(lastWrite); wait < time.Second || wait > 2*time.Second {
			t.Errorf("taken %v after the last write, want Stable (1 s) to a poll later", wait)
		}
	})
}

// A file written under a temporary name is taken once renamed.
func TestRenameDone(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		taken := t.TempDir()
		d := newDev(t, Opts{TakenDir: taken})
		part := filepath.Join(d.opts.Dir, "scan.jpg.part")
		write(t, part, pageImage(t, 1))
		done := scanAsync(d, scanner.Request{Pages: 1})
		time.Sleep(5 * time.Second)
		synctest.Wait()
		select {
		case <-done:
			t.Fatal("took a .part file")
		default:
		}
		if err := os.Rename(part, filepath.Join(d.opts.Dir, "scan.png")); err != nil {
			t.Fatal(err)
		}
		r := <-done
		if r.err != nil || len(r.pages) != 1 {
			t.Fatalf("%d pages, %v", len(r.pages), r.err)
		}
		if _, err := os.Stat(filepath.Join(taken, "scan.png")); err != nil {
			t.Errorf("not moved to TakenDir: %v", err)
		}
		if _, err := os.Stat(filepath.Join(d.opts.Dir, "scan.png")); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("still in the folder: %v", err)
		}
	})
}

// Name order wins, even over a later name that is complete first.
func TestNameOrder(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		d := newDev(t, Opts{})
		b := pageImage(t, 2)
		write(t, filepath.Join(d.opts.Dir, "b.png"), b)
		a := pageImage(t, 1)
		pathA := filepath.Join(d.opts.Dir, "a.png")
		write(t, pathA, a[:10])
		done := scanAsync(d, scanner.Request{Pages: 2})
		for i := range 6 { // a grows for 3 s; b is stable long since
			time.Sleep(500 * time.Millisecond)
			appendTo(t, pathA, a[10+i:11+i])
		}
		synctest.Wait()
		select {
		case r := <-done:
			t.Fatalf("finished early: %d pages, %v", len(r.pages), r.err)
		default:
		}
		if _, err := os.Stat(filepath.Join(d.opts.Dir, "b.png")); err != nil {
			t.Fatalf("b.png taken before a.png: %v", err)
		}
		appendTo(t, pathA, a[16:])
		r := <-done
		if r.err != nil {
			t.Fatal(r.err)
		}
		if pageNumber(t, r.pages[0]) != 1 || pageNumber(t, r.pages[1]) != 2 {
			t.Error("pages out of name order")
		}
	})
}

func TestTimeout(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		d := newDev(t, Opts{Timeout: 10 * time.Second})
		start := time.Now()
		pages, err := d.Scan(context.Background(), scanner.Request{}, nil)
		if !errors.Is(err, scanner.ErrTimeout) || len(pages) != 0 {
			t.Fatalf("%d pages, %v; want ErrTimeout", len(pages), err)
		}
		if waited := time.Since(start); waited < 10*time.Second || waited > 11*time.Second {
			t.Errorf("waited %v", waited)
		}

		// Two of three pages come: the two, and ErrTimeout.
		write(t, filepath.Join(d.opts.Dir, "1.png"), pageImage(t, 1))
		write(t, filepath.Join(d.opts.Dir, "2.png"), pageImage(t, 2))
		pages, err = d.Scan(context.Background(), scanner.Request{Pages: 3}, nil)
		if !errors.Is(err, scanner.ErrTimeout) || len(pages) != 2 {
			t.Errorf("%d pages, %v; want 2 and ErrTimeout", len(pages), err)
		}
	})
}

// With Pages 0 the scan ends once no page came for Settle.
func TestSettle(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		d := newDev(t, Opts{Settle: 5 * time.Second})
		done := scanAsync(d, scanner.Request{})
		for n := 1; n <= 3; n++ {
			time.Sleep(3 * time.Second) // a citizen turning pages under the camera
			write(t, filepath.Join(d.opts.Dir, "p"+string(rune('0'+n))+".png"), pageImage(t, n))
		}
		last := time.Now()
		r := <-done
		if r.err != nil || len(r.pages) != 3 {
			t.Fatalf("%d pages, %v", len(r.pages), r.err)
		}
		if wait := r.at.Sub(last); wait < 6*time.Second || wait > 7*time.Second {
			t.Errorf("ended %v after the last page, want Stable + Settle", wait)
		}
	})
}

func TestBadFiles(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		d := newDev(t, Opts{})
		write(t, filepath.Join(d.opts.Dir, "0-empty.png"), nil)                   // skipped
		write(t, filepath.Join(d.opts.Dir, "1-text.jpg"), []byte("not an image")) // fails the scan
		write(t, filepath.Join(d.opts.Dir, "notes.txt"), []byte("ignored"))
		write(t, filepath.Join(d.opts.Dir, ".hidden.png"), pageImage(t, 9))
		pages, err := d.Scan(context.Background(), scanner.Request{}, nil)
		if !errors.Is(err, scanner.ErrFailed) || len(pages) != 0 {
			t.Fatalf("%d pages, %v; want ErrFailed", len(pages), err)
		}
		left, _ := os.ReadDir(d.opts.Dir)
		var names []string
		for _, e := range left {
			names = append(names, e.Name())
		}
		if len(names) != 2 || names[0] != ".hidden.png" || names[1] != "notes.txt" {
			t.Errorf("left in the folder: %v", names)
		}
	})
}

func TestBusyAndMissing(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		d := newDev(t, Opts{Timeout: time.Minute})
		done := scanAsync(d, scanner.Request{})
		synctest.Wait()
		if _, err := d.Scan(context.Background(), scanner.Request{}, nil); !errors.Is(err, scanner.ErrBusy) {
			t.Errorf("second scan: %v", err)
		}
		<-done
	})
	if _, err := New(&Opts{Dir: "/nonexistent/camera"}); !errors.Is(err, scanner.ErrNotFound) {
		t.Errorf("New: %v", err)
	}
}
