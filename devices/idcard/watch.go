// SPDX-License-Identifier: AGPL-3.0-or-later

package idcard

import (
	"bytes"
	"context"
	"errors"
	"time"

	"yichuang/devices"
)

// EventKind says what happened on the reader.
type EventKind int

// Event kinds.
const (
	// EventRead: a card was placed and read. Once per placement.
	EventRead EventKind = iota + 1
	// EventRemoved: the card reported last (read or unreadable) is gone.
	// Once per EventRead or EventUnreadable.
	EventRemoved
	// EventOnline: the reader answers (again). Run only.
	EventOnline
	// EventOffline: the reader does not answer or its port failed; Err says
	// why. Once per outage. Run only.
	EventOffline
	// EventUnreadable: a card was read but its text cannot be decoded (an
	// unknown layout, a malformed block); Err says why. Once per placement,
	// in place of EventRead.
	EventUnreadable
)

func (k EventKind) String() string {
	switch k {
	case EventRead:
		return "read"
	case EventRemoved:
		return "removed"
	case EventOnline:
		return "online"
	case EventOffline:
		return "offline"
	case EventUnreadable:
		return "unreadable"
	}
	return "unknown"
}

// Event is one thing the reader loop reports.
type Event struct {
	Kind EventKind
	Card devices.Card // EventRead: the card; personal information, never log it whole
	Err  error        // EventOffline, EventUnreadable: why
	At   time.Time
}

// Status returns the device.status report an online or offline event stands
// for, and false for other events.
func (e Event) Status() (devices.Status, bool) {
	switch e.Kind {
	case EventOnline:
		return devices.Status{Device: "idcard", State: devices.StateOK, At: e.At}, true
	case EventOffline:
		s := devices.Status{Device: "idcard", State: devices.StateOffline, At: e.At}
		if e.Err != nil {
			s.Detail = e.Err.Error()
		}
		return s, true
	}
	return devices.Status{}, false
}

// tracker follows one placement: it makes one Read of a card that stays on
// the reader and one Removed when it goes, whichever way the reader reports a
// card it already read. Some readers find it again on every poll (the
// "sticky" ones): the serial that select answers tells the same card from a
// new one. Others report no card until it is lifted and placed again: for
// those, RemoveAfter empty polls count as removal, the card may still lie on
// the reader then, and it reads again only when placed again.
type tracker struct {
	present bool
	serial  []byte
	misses  int
}

// miss records a poll that found no card.
func (t *tracker) miss(d *Dev, emit func(Event)) {
	if !t.present {
		return
	}
	t.misses++
	if t.misses >= d.o.RemoveAfter {
		t.present, t.serial, t.misses = false, nil, 0
		emit(Event{Kind: EventRemoved, At: d.o.Now()})
	}
}

// poll runs one find → select → read round. A reader that answers, whatever
// it answers, is fine; only a reader that does not answer (or a broken port)
// makes poll fail.
func (d *Dev) poll(ctx context.Context, t *tracker, emit func(Event)) error {
	var se *StatusError
	if err := d.Find(ctx); err != nil {
		if errors.As(err, &se) {
			t.miss(d, emit)
			return nil
		}
		return err
	}
	serial, err := d.Select(ctx)
	if err != nil {
		if errors.As(err, &se) {
			t.miss(d, emit)
			return nil
		}
		return err
	}
	if t.present {
		if bytes.Equal(serial, t.serial) {
			t.misses = 0
			return nil // the same card, still there
		}
		// Another card replaced the first between two polls.
		t.present, t.serial, t.misses = false, nil, 0
		emit(Event{Kind: EventRemoved, At: d.o.Now()})
	}
	card, err := d.ReadBase(ctx)
	switch {
	case errors.As(err, &se):
		return nil // the card moved away mid-read, say: try again next poll
	case errors.Is(err, ErrText), errors.Is(err, ErrLayout):
		// Read, but not decodable: reading again will not help.
		t.present, t.serial, t.misses = true, serial, 0
		emit(Event{Kind: EventUnreadable, Err: err, At: d.o.Now()})
		return nil
	case err != nil:
		return err
	}
	t.present, t.serial, t.misses = true, serial, 0
	emit(Event{Kind: EventRead, Card: card, At: d.o.Now()})
	return nil
}

// Watch runs the reader loop on d: it polls every Opts.PollInterval and calls
// emit with EventRead once per card placed and EventRemoved once it is gone.
// emit runs on Watch's goroutine and should not block for long. Watch
// returns ctx.Err() when ctx ends, or the error that made a poll fail (the
// reader stopped answering: ErrTimeout; the port broke): see Run for a loop
// that reopens the port and reports the reader offline and online.
func (d *Dev) Watch(ctx context.Context, emit func(Event)) error {
	return d.watch(ctx, &tracker{}, emit, func() {})
}

func (d *Dev) watch(ctx context.Context, t *tracker, emit func(Event), alive func()) error {
	for {
		if err := d.poll(ctx, t, emit); err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return err
		}
		alive()
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-d.o.After(d.o.PollInterval):
		}
	}
}

// Run opens the reader's port with open and runs the reader loop until ctx
// ends, then returns ctx.Err(). When the reader stops answering or the port
// fails (a USB bridge unplugged), it emits EventOffline once, closes the
// port, and reopens it with a backoff that doubles from Opts.MinBackoff to
// Opts.MaxBackoff; EventOnline follows the first good poll. A card read
// before an outage is not reported removed by the outage itself: after it,
// the reader finds the same card (no second Read) or no card (Removed).
func Run(ctx context.Context, open Opener, o *Opts, emit func(Event)) error {
	opts := o.withDefaults()
	const (
		unknown = iota
		online
		offline
	)
	state := unknown
	t := &tracker{}
	backoff := opts.MinBackoff
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		port, err := open(ctx)
		if err == nil {
			var d *Dev
			d, err = New(port, &opts)
			if err == nil {
				err = d.watch(ctx, t, emit, func() {
					backoff = opts.MinBackoff
					if state != online {
						state = online
						emit(Event{Kind: EventOnline, At: opts.Now()})
					}
				})
				_ = d.Close() // the port is being given up on; its close error adds nothing
			}
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if state != offline {
			state = offline
			emit(Event{Kind: EventOffline, Err: err, At: opts.Now()})
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-opts.After(backoff):
		}
		backoff = min(2*backoff, opts.MaxBackoff)
	}
}
