// SPDX-License-Identifier: AGPL-3.0-or-later

// Package folder scans from a hot folder: a document camera (高拍仪) or a
// scanner's own software writes one image file per page into a directory,
// and Scan picks the files up.
//
// A file is taken once it is complete: its name is not a temporary one
// (.part, .tmp, .crdownload, a leading dot or ~) and its size and
// modification time have not changed for Opts.Stable. Files are taken in
// name order (a later file never jumps ahead of an earlier one still being
// written) and moved out of the folder once read: into Opts.TakenDir, or
// deleted.
package folder

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"yichuang/devices"
	"yichuang/devices/scanner"
)

// Opts configure a Dev.
type Opts struct {
	// Dir is the hot folder (required).
	Dir string
	// TakenDir receives the files taken; "" deletes them once read (the
	// pages live on in the material). Put it on the same file system as Dir.
	TakenDir string
	// Exts are the file name endings taken, lower case (default .jpg,
	// .jpeg, .png, .tif, .tiff).
	Exts []string
	// Stable is how long a file must stay unchanged to count as complete
	// (default 1 s).
	Stable time.Duration
	// Poll is how often the folder is listed (default 200 ms).
	Poll time.Duration
	// Timeout is how long Scan waits for the next page (default 60 s).
	Timeout time.Duration
	// Settle ends a scan of "all pages" (Request.Pages 0): once a page is
	// taken, no new file for this long means the citizen is done (default
	// 5 s).
	Settle time.Duration
}

// DefaultOpts returns the defaults New fills in.
func DefaultOpts() Opts {
	return Opts{
		Exts:    []string{".jpg", ".jpeg", ".png", ".tif", ".tiff"},
		Stable:  time.Second,
		Poll:    200 * time.Millisecond,
		Timeout: time.Minute,
		Settle:  5 * time.Second,
	}
}

// Dev is one hot folder. It is safe for concurrent use; one scan runs at a
// time.
type Dev struct {
	opts Opts
	busy chan struct{}
}

var _ scanner.Scanner = (*Dev)(nil)

// New returns a Dev for o.Dir, which must exist.
func New(o *Opts) (*Dev, error) {
	if o == nil || o.Dir == "" {
		return nil, errors.New("folder: no directory given")
	}
	opts := DefaultOpts()
	opts.Dir, opts.TakenDir = o.Dir, o.TakenDir
	if len(o.Exts) > 0 {
		opts.Exts = o.Exts
	}
	for _, d := range []struct {
		dst *time.Duration
		v   time.Duration
	}{
		{&opts.Stable, o.Stable}, {&opts.Poll, o.Poll}, {&opts.Timeout, o.Timeout}, {&opts.Settle, o.Settle},
	} {
		if d.v > 0 {
			*d.dst = d.v
		}
	}
	for _, dir := range []string{opts.Dir, opts.TakenDir} {
		if dir == "" {
			continue
		}
		fi, err := os.Stat(dir)
		if err != nil {
			return nil, fmt.Errorf("folder: %v: %w", err, scanner.ErrNotFound)
		}
		if !fi.IsDir() {
			return nil, fmt.Errorf("folder: %s is not a directory: %w", dir, scanner.ErrNotFound)
		}
	}
	return &Dev{opts: opts, busy: make(chan struct{}, 1)}, nil
}

// String names the device: "folder:/var/lib/kioskd/camera".
func (d *Dev) String() string { return "folder:" + d.opts.Dir }

// seen is what one file looked like, and since when.
type seen struct {
	size  int64
	mod   time.Time
	since time.Time
}

// Scan implements scanner.Scanner. Request.Pages bounds the pages taken;
// 0 takes pages until none arrives for Opts.Settle. Source, Resolution and
// Mode are the camera's business and are ignored. No first page within
// Opts.Timeout is ErrTimeout; so is a missing page of a Request.Pages count,
// with the pages taken before it.
func (d *Dev) Scan(ctx context.Context, r scanner.Request, progress func(scanner.Progress)) ([]devices.Page, error) {
	select {
	case d.busy <- struct{}{}:
		defer func() { <-d.busy }()
	default:
		return nil, fmt.Errorf("folder: %s: a scan is running: %w", d.opts.Dir, scanner.ErrBusy)
	}
	if r.Pages < 0 {
		return nil, fmt.Errorf("folder: %d pages: %w", r.Pages, scanner.ErrUnsupported)
	}

	var pages []devices.Page
	files := make(map[string]seen)
	lastPage := time.Now() // or the start
	tick := time.NewTicker(d.opts.Poll)
	defer tick.Stop()
	for {
		if err := ctx.Err(); err != nil {
			return pages, fmt.Errorf("folder: %s: %w", d.opts.Dir, err)
		}
		names, err := d.candidates()
		if err != nil {
			return pages, fmt.Errorf("folder: %s: %w", d.opts.Dir, err)
		}
		now := time.Now()
		for k := range files { // forget files gone meanwhile
			if !slices.Contains(names, k) {
				delete(files, k)
			}
		}
		for _, name := range names {
			fi, err := os.Stat(filepath.Join(d.opts.Dir, name))
			if err != nil {
				break // renamed or removed meanwhile: look again next time
			}
			s, ok := files[name]
			if !ok || s.size != fi.Size() || !s.mod.Equal(fi.ModTime()) {
				files[name] = seen{size: fi.Size(), mod: fi.ModTime(), since: now}
				break // still being written: keep the order, wait for it
			}
			if now.Sub(s.since) < d.opts.Stable {
				break
			}
			page, err := d.take(name)
			delete(files, name)
			if errors.Is(err, errEmptyFile) {
				continue // a camera program that gave up: out of the way
			}
			if err != nil {
				return pages, fmt.Errorf("folder: %s: %w", name, err)
			}
			pages = append(pages, page)
			lastPage = now
			if progress != nil {
				progress(scanner.Progress{Page: len(pages), Image: page})
			}
			if r.Pages > 0 && len(pages) == r.Pages {
				return pages, nil
			}
		}
		idle := now.Sub(lastPage)
		switch {
		case r.Pages == 0 && len(pages) > 0 && len(files) == 0 && idle >= d.opts.Settle:
			return pages, nil
		case idle >= d.opts.Timeout:
			return pages, fmt.Errorf("folder: %s: no page for %v after %d: %w", d.opts.Dir, d.opts.Timeout, len(pages), scanner.ErrTimeout)
		}
		select {
		case <-ctx.Done():
		case <-tick.C:
		}
	}
}

// candidates lists the files Scan may take, in name order.
func (d *Dev) candidates() ([]string, error) {
	entries, err := os.ReadDir(d.opts.Dir)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("%v: %w", err, scanner.ErrNotFound)
		}
		return nil, fmt.Errorf("%v: %w", err, scanner.ErrFailed)
	}
	var names []string
	for _, e := range entries {
		name := e.Name()
		lower := strings.ToLower(name)
		if !e.Type().IsRegular() || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "~") {
			continue
		}
		if !slices.ContainsFunc(d.opts.Exts, func(ext string) bool { return strings.HasSuffix(lower, ext) }) {
			continue // includes .part, .tmp, .crdownload: not an image ending
		}
		names = append(names, name)
	}
	slices.Sort(names) // ReadDir sorts already; say so
	return names, nil
}

var errEmptyFile = errors.New("empty file")

// take reads a complete file and moves it out of the folder.
func (d *Dev) take(name string) (devices.Page, error) {
	path := filepath.Join(d.opts.Dir, name)
	data, err := os.ReadFile(path)
	if err != nil {
		return devices.Page{}, fmt.Errorf("%v: %w", err, scanner.ErrFailed)
	}
	if d.opts.TakenDir != "" {
		err = os.Rename(path, filepath.Join(d.opts.TakenDir, name))
	} else {
		err = os.Remove(path)
	}
	if err != nil {
		// Left in place it would be taken again by the next scan.
		return devices.Page{}, fmt.Errorf("moving it out: %v: %w", err, scanner.ErrFailed)
	}
	if len(data) == 0 {
		return devices.Page{}, errEmptyFile
	}
	format := formatOf(data)
	if format == "" {
		return devices.Page{}, fmt.Errorf("not a PNG, JPEG or TIFF image: %w", scanner.ErrFailed)
	}
	return devices.Page{Data: data, Format: format}, nil
}

func formatOf(b []byte) string {
	switch {
	case bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")):
		return "png"
	case bytes.HasPrefix(b, []byte{0xFF, 0xD8, 0xFF}):
		return "jpeg"
	case bytes.HasPrefix(b, []byte("II*\x00")), bytes.HasPrefix(b, []byte("MM\x00*")):
		return "tiff"
	}
	return ""
}
