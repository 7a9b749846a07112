// SPDX-License-Identifier: AGPL-3.0-or-later

// Package scanner holds what every scanner backend shares: the Scanner
// contract, the Request a scan is made with, page-by-page Progress, and the
// sentinel errors a citizen can be shown.
//
// Backends live in sub-packages: sane (SANE's scanimage: flatbeds, document
// feeders, duplex), folder (a hot folder a document camera 高拍仪 or a
// scanner's own software writes into) and, for tests and the default run,
// devices/sim/scannersim. scannertest checks any of them against the
// contract.
package scanner

import (
	"context"
	"errors"

	"yichuang/devices"
)

// Scanner scans pages. Implementations are safe for concurrent use; a scan
// started while another runs fails at once with ErrBusy.
type Scanner interface {
	// Scan scans what r asks for. progress, when not nil, is called once for
	// each page as soon as it is done, in order, before Scan returns (a
	// caller emits its scan.page event from there). On an error Scan returns
	// the pages done before it too: a jam on page 3 still returns pages 1
	// and 2. A feeder found empty before the first page is ErrFeederEmpty;
	// after it, it is the normal end of a feeder scan.
	Scan(ctx context.Context, r Request, progress func(Progress)) ([]devices.Page, error)
}

// Request says what to scan. The zero value scans with the device's own
// defaults until its feeder is empty (one page on a flatbed).
type Request struct {
	// Pages is the most pages to scan; 0 scans until the feeder is empty,
	// or one page from a flatbed.
	Pages int
	// Source picks flatbed, document feeder or duplex; "" is the device's
	// default.
	Source Source
	// Resolution in dots per inch; 0 is the device's default. A device
	// offering a list takes the nearest value.
	Resolution int
	// Mode picks colour, grey or black and white; "" is the device's default.
	Mode Mode
}

// Source is where the paper is.
type Source string

// Sources.
const (
	SourceDefault Source = ""
	SourceFlatbed Source = "flatbed"
	SourceADF     Source = "adf"    // automatic document feeder, front sides
	SourceDuplex  Source = "duplex" // document feeder, both sides
)

// Mode is the colour mode.
type Mode string

// Modes.
const (
	ModeDefault Mode = ""
	ModeColor   Mode = "color"
	ModeGray    Mode = "gray"
	ModeLineart Mode = "lineart" // black and white
)

// Progress reports one page done.
type Progress struct {
	Page  int          // 1-based
	Image devices.Page // the page itself, as Scan will return it
}

// Sentinel errors, usable with errors.Is. Their text is what a citizen at a
// kiosk or the staff at a window can be shown, in English and Chinese.
var (
	ErrFeederEmpty = errors.New("the feeder is empty, put the pages in the feeder (进纸器中没有纸张，请放入材料)")
	ErrJam         = errors.New("paper jam, remove the jammed paper and try again (卡纸，请取出卡住的纸张后重试)")
	ErrCoverOpen   = errors.New("the scanner cover is open, close it and try again (扫描仪盖板未关闭，请关好后重试)")
	ErrNotFound    = errors.New("scanner not found or disconnected (未找到扫描仪或扫描仪已断开，请联系工作人员)")
	ErrBusy        = errors.New("the scanner is busy, try again shortly (扫描仪正忙，请稍后再试)")
	ErrCancelled   = errors.New("the scan was cancelled on the scanner (扫描已在扫描仪上取消)")
	ErrTimeout     = errors.New("no page arrived in time (等待超时，未收到扫描件)")
	ErrUnsupported = errors.New("the scanner cannot scan this way (扫描仪不支持该扫描方式)")
	ErrFailed      = errors.New("the scan failed, try again or ask the staff (扫描失败，请重试或联系工作人员)")
)

// State maps a Scan error to the scanner's health for device.status events:
// nil, an empty feeder and a cancelled scan leave it ok; a lost device is
// offline; a jam, an open cover and other failures are errors. A busy
// scanner, a request it cannot do, a hot folder nobody fed and a context
// error (the caller gave up) say nothing bad about it: ok.
func State(err error) devices.State {
	switch {
	case err == nil,
		errors.Is(err, ErrFeederEmpty),
		errors.Is(err, ErrCancelled),
		errors.Is(err, ErrBusy),
		errors.Is(err, ErrTimeout),
		errors.Is(err, ErrUnsupported),
		errors.Is(err, context.Canceled),
		errors.Is(err, context.DeadlineExceeded):
		return devices.StateOK
	case errors.Is(err, ErrNotFound):
		return devices.StateOffline
	}
	return devices.StateError
}
