// SPDX-License-Identifier: AGPL-3.0-or-later

// Package display drives the LED strip screens above the hall's windows (窗口
// 条屏): one line of text such as "A012 请到3号窗口", sent over a serial line
// (usually an RS-485 adapter) that several screens share, each with its
// address.
//
// Vendors keep their protocols private. The package ships two formats, chosen
// per screen:
//
//   - FormatLine, the plain text line most serial LED modules accept: the
//     text in GB18030 (or GB2312) bytes followed by CR LF. On a shared bus
//     the line starts with the screen's address in ASCII decimal and a
//     colon ("3:A012 请到3号窗口\r\n"); address 0 sends no prefix. An empty
//     line clears the screen.
//   - FormatFramed, the SOH/BEL framing of the window-screen protocol that
//     circulates among queue-system integrators: SOH (0x01), the address
//     byte, a command byte, the GB18030 text, BEL (0x07). No public
//     specification could be found to confirm the command bytes, so this
//     package documents its own: 'T' (0x54) shows the text, 'C' (0x43)
//     clears the screen and carries no text. There is no checksum and no
//     answer. Text never contains a control byte (they are replaced by
//     spaces), so SOH and BEL only ever mark frame boundaries; ParseFrames
//     reads the format back.
//
// Such screens drop bytes that arrive while they are still drawing the
// previous command, so a Bus serialises the writes of every screen on one
// port and waits a pause (BusOpts.Pause, 50 ms by default) after each
// command, plus the time the command takes on the wire at the bus's baud
// rate.
//
// Screens are N columns wide: an ASCII character takes one column, any other
// character two (the screens draw GB2312 characters in 16-dot cells and ASCII
// in 8-dot ones). Fit cuts a text to the width, so a long text is shortened
// rather than wrapped into garbage.
//
// The driver never logs; errors carry the "display: " prefix and wrap the
// sentinel errors below, to be tested with errors.Is. Open gives a real
// serial port through github.com/tarm/serial; devices/sim/displaysim
// simulates screens on a pseudo-terminal.
package display
