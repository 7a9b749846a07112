// SPDX-License-Identifier: AGPL-3.0-or-later

package hid

import (
	"errors"
	"fmt"

	"github.com/karalabe/usb"
)

// USB returns this machine's HID devices through github.com/karalabe/usb.
// Built without cgo, its Enumerate fails with ErrUnsupported.
//
// Its devices read with hidapi's blocking hid_read, which hid_close wakes:
// that is how Dev ends its read goroutine. hidapi does not promise that
// closing a handle while another thread reads it is safe; on Linux (the
// libusb backend) the woken reader leaves before the handle is freed but
// for a window of a few instructions. Close is called once per
// connection, when its context ends or the device failed.
func USB() Bus { return usbBus{} }

type usbBus struct{}

func (usbBus) Enumerate(vendorID, productID uint16) ([]Info, error) {
	if !usb.Supported() {
		return nil, ErrUnsupported
	}
	found, err := usb.EnumerateHid(vendorID, productID)
	if err != nil {
		return nil, err
	}
	infos := make([]Info, 0, len(found))
	for _, f := range found {
		infos = append(infos, Info{
			Path:         f.Path,
			VendorID:     f.VendorID,
			ProductID:    f.ProductID,
			Release:      f.Release,
			Serial:       f.Serial,
			Manufacturer: f.Manufacturer,
			Product:      f.Product,
			Interface:    f.Interface,
			UsagePage:    f.UsagePage,
			Usage:        f.Usage,
		})
	}
	return infos, nil
}

func (usbBus) Open(i Info) (Device, error) {
	if !usb.Supported() {
		return nil, ErrUnsupported
	}
	// A DeviceInfo without its raw libusb part opens as HID, by path.
	d, err := usb.DeviceInfo{
		Path:      i.Path,
		VendorID:  i.VendorID,
		ProductID: i.ProductID,
		Release:   i.Release,
		Serial:    i.Serial,
		Interface: i.Interface,
	}.Open()
	if err != nil {
		return nil, err
	}
	return usbDevice{d}, nil
}

// usbDevice says what a failed read most likely means: hidapi's libusb
// backend only says "unknown failure".
type usbDevice struct{ usb.Device }

func (d usbDevice) Read(p []byte) (int, error) {
	n, err := d.Device.Read(p)
	if err != nil && !errors.Is(err, usb.ErrDeviceClosed) {
		err = fmt.Errorf("device gone (unplugged?): %w", err)
	}
	return n, err
}
