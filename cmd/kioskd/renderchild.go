// SPDX-License-Identifier: AGPL-3.0-or-later

package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"

	"yichuang/devices/pdf"
	"yichuang/kiosk"
)

// Pages are drawn the way uploads are validated (docchild.go): in a child
// process (`kioskd render-page`), so MuPDF never runs in the daemon. The
// child draws at most renderBudget pixels (a larger page comes out scaled
// down), refuses a document holding an image over that budget (the one
// validation applies: such a file was refused when handed in), and runs
// under the limits childLimits sets; the daemon waits at most renderWait
// and runs at most renderSlots children at once.
const (
	renderBudget = 40_000_000 // pixels of one drawn page or image (an A4 page 2400 px wide is 8 million)
	renderWait   = 30 * time.Second
	renderSlots  = 2
	maxRenderOut = 64 << 20 // bytes of PNG a child may answer
)

// Limits of a document child: seconds of CPU, and bytes of address space
// beyond what the Go runtime has mapped when the child starts (set after
// start: the runtime reserves its own first).
const (
	childCPUSeconds = 20
	childMemory     = 1 << 30
)

// childLimits bounds this process, a document child: a hostile document
// costs at most childCPUSeconds of CPU (then SIGXCPU ends it) and
// childMemory of memory (then MuPDF's allocations fail).
func childLimits() error {
	cpu := syscall.Rlimit{Cur: childCPUSeconds, Max: childCPUSeconds + 5}
	if err := syscall.Setrlimit(syscall.RLIMIT_CPU, &cpu); err != nil {
		return fmt.Errorf("rlimit cpu: %w", err)
	}
	vm, err := vmSize()
	if err != nil {
		return err
	}
	as := syscall.Rlimit{Cur: vm + childMemory, Max: vm + childMemory}
	if err := syscall.Setrlimit(syscall.RLIMIT_AS, &as); err != nil {
		return fmt.Errorf("rlimit as: %w", err)
	}
	return nil
}

// vmSize is this process's mapped address space in bytes.
func vmSize() (uint64, error) {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0, fmt.Errorf("vm size: %w", err)
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmSize:"); ok {
			kb, err := strconv.ParseUint(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			if err != nil {
				return 0, fmt.Errorf("vm size: %q: %w", v, err)
			}
			return kb << 10, nil
		}
	}
	return 0, errors.New("vm size: not in /proc/self/status")
}

// cmdRenderPage is the child: the document on stdin, then on stdout "OK\n"
// and the PNG, or "ERR class words".
func cmdRenderPage(ctx context.Context, args []string, stdin io.Reader, stdout io.Writer) error {
	fs := flag.NewFlagSet("render-page", flag.ContinueOnError)
	page := fs.Int("page", 1, "the page, from 1")
	width := fs.Int("width", pdf.ScreenWidth, "pixels wide")
	budget := fs.Int64("max-pixels", renderBudget, "most pixels of the drawn page, and of any image in the document")
	maxBytes := fs.Int64("max-bytes", 1<<30, "largest document")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := childLimits(); err != nil {
		return err
	}
	doc, err := io.ReadAll(io.LimitReader(stdin, *maxBytes))
	if err != nil {
		return err
	}
	r := pdf.NewMuPDF(&pdf.RenderOpts{Concurrency: 1, OpenDocs: 1, MaxPixels: *budget})
	defer r.Close()
	png, err := r.Render(ctx, doc, *page, *width)
	w := bufio.NewWriter(stdout)
	if err != nil {
		fmt.Fprintf(w, "ERR %s %s\n", childClass(err), strings.ReplaceAll(err.Error(), "\n", " "))
		return w.Flush()
	}
	w.WriteString("OK\n")
	w.Write(png)
	return w.Flush()
}

// childClass names the kind of a document error on a child's answer line.
func childClass(err error) string {
	switch kiosk.KindOf(docError(err)) {
	case kiosk.KindUnsupported:
		return "unsupported"
	case kiosk.KindTooLarge:
		return "toolarge"
	case kiosk.KindUnprocessable:
		return "unprocessable"
	case kiosk.KindNotFound:
		return "notfound"
	case kiosk.KindInvalid:
		return "invalid"
	}
	return "other"
}

// childError turns a child's "ERR class words" back into the domain's error.
func childError(class, words string) error {
	kind := map[string]kiosk.Kind{"unsupported": kiosk.KindUnsupported, "toolarge": kiosk.KindTooLarge,
		"unprocessable": kiosk.KindUnprocessable, "notfound": kiosk.KindNotFound, "invalid": kiosk.KindInvalid}[class]
	if kind == 0 {
		return fmt.Errorf("documents: %s", words)
	}
	words = strings.TrimPrefix(words, "pdf: validate: ")
	if i := strings.LastIndex(words, ": "); i >= 0 && strings.HasPrefix(words, "pdf: render") {
		words = words[i+2:] // the sentinel's words, for the citizen
	}
	return &kiosk.Error{Kind: kind, Msg: words}
}

// renderer runs render children, renderSlots at a time, and keeps what
// they drew in a pageCache of pageCacheBytes.
type renderer struct {
	self  string
	slots chan struct{}
	wait  time.Duration
	cache *pageCache
}

const pageCacheBytes = 32 << 20

func newRenderer(self string) *renderer {
	return &renderer{self: self, slots: make(chan struct{}, renderSlots), wait: renderWait, cache: newPageCache(pageCacheBytes)}
}

// cappedBuffer takes at most max bytes; more is an error (the child is
// then ended by the broken pipe).
type cappedBuffer struct {
	bytes.Buffer
	max int
}

func (c *cappedBuffer) Write(p []byte) (int, error) {
	if c.Len()+len(p) > c.max {
		return 0, errors.New("the child's answer is too long")
	}
	return c.Buffer.Write(p)
}

// Render draws page (from 1) of doc width pixels wide in a child, or
// finds it drawn already.
func (r *renderer) Render(ctx context.Context, doc []byte, page, width int, extra ...string) ([]byte, error) {
	key := keyOf(doc, page, width)
	if png, ok := r.cache.get(key); ok && len(extra) == 0 {
		return png, nil
	}
	png, err := r.draw(ctx, doc, page, width, extra...)
	if err == nil && len(extra) == 0 {
		r.cache.put(key, png)
	}
	return png, err
}

func (r *renderer) draw(ctx context.Context, doc []byte, page, width int, extra ...string) ([]byte, error) {
	select {
	case r.slots <- struct{}{}:
		defer func() { <-r.slots }()
	case <-ctx.Done():
		return nil, &kiosk.Error{Kind: kiosk.KindUnavailable, Msg: "服务器正忙，请稍后再试 (the server is busy drawing pages; try again shortly)"}
	}
	ctx, cancel := context.WithTimeout(ctx, r.wait)
	defer cancel()
	args := append([]string{"render-page", "--page", strconv.Itoa(page), "--width", strconv.Itoa(width),
		"--max-bytes", strconv.Itoa(len(doc))}, extra...)
	cmd := exec.CommandContext(ctx, r.self, args...)
	cmd.Stdin = bytes.NewReader(doc)
	out := &cappedBuffer{max: maxRenderOut}
	var errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = out, &errOut
	runErr := cmd.Run()
	header, rest, found := bytes.Cut(out.Bytes(), []byte("\n"))
	if runErr != nil || !found {
		if ctx.Err() != nil || killedForCPU(runErr) {
			return nil, &kiosk.Error{Kind: kiosk.KindUnprocessable, Msg: "页面过于复杂，无法在限定时间内显示 (the page took too long to draw and was stopped)"}
		}
		return nil, &kiosk.Error{Kind: kiosk.KindUnprocessable, Msg: "页面无法显示 (the page could not be drawn)"}
	}
	if string(header) == "OK" && pdf.Sniff(rest) == pdf.KindPNG {
		return rest, nil
	}
	if f := strings.SplitN(string(header), " ", 3); len(f) == 3 && f[0] == "ERR" {
		return nil, childError(f[1], f[2])
	}
	return nil, errors.New("documents: the renderer's answer is malformed")
}

// killedForCPU says whether a child was ended for using up its CPU time.
func killedForCPU(err error) bool {
	var ee *exec.ExitError
	if !errors.As(err, &ee) {
		return false
	}
	ws, ok := ee.Sys().(syscall.WaitStatus)
	return ok && ws.Signaled() && (ws.Signal() == syscall.SIGXCPU || ws.Signal() == syscall.SIGKILL)
}
