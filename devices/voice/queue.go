// SPDX-License-Identifier: AGPL-3.0-or-later

package voice

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"
)

// Sentinel errors of the queue.
var (
	// ErrNumber: a ticket number with nothing to read (no letter, no digit).
	ErrNumber = errors.New("voice: ticket number has nothing to read")
	// ErrRunning: Run was called while another Run runs.
	ErrRunning = errors.New("voice: queue already running")
)

// Announcement is one call to speak.
type Announcement struct {
	Number string // ticket number, "A012"
	Window int    // window number; below 1: none ("请A零一二号办理")
	// Recall marks a call repeated by the window (重呼): the same words
	// again. A full queue drops the oldest call that is not a recall first.
	Recall bool
}

// Text returns the announcement's words.
func (a Announcement) Text() string { return Text(a.Number, a.Window) }

// Delivery is an announcement handed to the consumer.
type Delivery struct {
	Announcement
	Text string // what is said, Times times, joined by "，"
	WAV  []byte // the audio; nil when the Synth failed twice
	Err  error  // why WAV is nil
}

// QueueOpts configures a Queue. Zero fields take the values of
// DefaultQueueOpts.
type QueueOpts struct {
	// Max is the most announcements waiting. Adding to a full queue drops
	// the oldest waiting announcement that is not a recall; if all are
	// recalls and the new one is not, the oldest recall.
	Max int
	// Times is how often each announcement is said in its WAV.
	Times int
	// SynthTimeout bounds one Speak.
	SynthTimeout time.Duration
	// RetryDelay is the wait before the one retry of a failed Speak;
	// negative means none.
	RetryDelay time.Duration
	// Dropped, if set, is told of each announcement a full queue drops; it
	// runs in Add's goroutine and must not block.
	Dropped func(Announcement)
	// After waits; time.After when nil.
	After func(time.Duration) <-chan time.Time
}

// DefaultQueueOpts returns 32 waiting, said once, 10 s a Speak, a 200 ms
// wait before the retry.
func DefaultQueueOpts() QueueOpts {
	return QueueOpts{Max: 32, Times: 1, SynthTimeout: 10 * time.Second, RetryDelay: 200 * time.Millisecond, After: time.After}
}

func (o *QueueOpts) withDefaults() QueueOpts {
	d := DefaultQueueOpts()
	if o == nil {
		return d
	}
	r := *o
	if r.Max <= 0 {
		r.Max = d.Max
	}
	if r.Times <= 0 {
		r.Times = d.Times
	}
	if r.SynthTimeout <= 0 {
		r.SynthTimeout = d.SynthTimeout
	}
	switch {
	case r.RetryDelay == 0:
		r.RetryDelay = d.RetryDelay
	case r.RetryDelay < 0:
		r.RetryDelay = 0
	}
	if r.After == nil {
		r.After = d.After
	}
	return r
}

// QueueStats counts what a Queue did.
type QueueStats struct {
	Added     int // announcements accepted by Add
	Delivered int // handed to the consumer, with audio or without
	Silent    int // of those, delivered without audio
	Retried   int // Speak calls retried after a failure
	Dropped   int // dropped from a full queue
	Waiting   int // in the queue now
}

// Queue speaks announcements one at a time, in the order they were added.
// Add may be called from any goroutine; one Run delivers.
type Queue struct {
	s Synth
	o QueueOpts

	mu      sync.Mutex
	items   []Announcement
	wake    chan struct{} // one token: something was added
	running bool
	st      QueueStats
}

// NewQueue returns an empty queue speaking through s. o nil means
// DefaultQueueOpts().
func NewQueue(s Synth, o *QueueOpts) (*Queue, error) {
	if s == nil {
		return nil, errors.New("voice: nil synth")
	}
	return &Queue{s: s, o: o.withDefaults(), wake: make(chan struct{}, 1)}, nil
}

// Add queues a. It never blocks; on a full queue it drops one announcement
// as QueueOpts.Max says. It returns an error wrapping ErrNumber when a's
// number has nothing to read.
func (q *Queue) Add(a Announcement) error {
	if len(NumberTokens(a.Number)) == 0 {
		return fmt.Errorf("%w: %q", ErrNumber, a.Number)
	}
	q.mu.Lock()
	var dropped *Announcement
	if len(q.items) >= q.o.Max {
		i := 0
		for j, it := range q.items {
			if !it.Recall {
				i = j
				break
			}
		}
		// i stays 0 when only recalls wait: the oldest recall goes
		d := q.items[i]
		dropped = &d
		q.items = append(q.items[:i], q.items[i+1:]...)
		q.st.Dropped++
	}
	q.items = append(q.items, a)
	q.st.Added++
	q.mu.Unlock()
	select {
	case q.wake <- struct{}{}:
	default:
	}
	if dropped != nil && q.o.Dropped != nil {
		q.o.Dropped(*dropped)
	}
	return nil
}

// Len returns how many announcements wait.
func (q *Queue) Len() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.items)
}

// Stats returns the counters.
func (q *Queue) Stats() QueueStats {
	q.mu.Lock()
	defer q.mu.Unlock()
	st := q.st
	st.Waiting = len(q.items)
	return st
}

// pop takes the first announcement, waiting for one until ctx ends.
func (q *Queue) pop(ctx context.Context) (Announcement, bool) {
	for {
		q.mu.Lock()
		if len(q.items) > 0 {
			a := q.items[0]
			q.items = q.items[1:]
			q.mu.Unlock()
			return a, true
		}
		q.mu.Unlock()
		select {
		case <-ctx.Done():
			return Announcement{}, false
		case <-q.wake:
		}
	}
}

// pushFront puts back an announcement Run took but could not deliver.
func (q *Queue) pushFront(a Announcement) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.items = append([]Announcement{a}, q.items...)
}

// Run delivers announcements to deliver, one at a time, in order, until ctx
// ends; it returns ctx.Err(). deliver is called with ctx and must return
// when it is done with the delivery (for a player: when the audio has
// played), so two never overlap. An announcement taken but not yet
// delivered when ctx ends goes back to the head of the queue for the next
// Run.
func (q *Queue) Run(ctx context.Context, deliver func(context.Context, Delivery)) error {
	if deliver == nil {
		return errors.New("voice: nil consumer")
	}
	q.mu.Lock()
	if q.running {
		q.mu.Unlock()
		return ErrRunning
	}
	q.running = true
	q.mu.Unlock()
	defer func() {
		q.mu.Lock()
		q.running = false
		q.mu.Unlock()
	}()
	for {
		a, ok := q.pop(ctx)
		if !ok {
			return ctx.Err()
		}
		d := q.speak(ctx, a)
		if ctx.Err() != nil {
			q.pushFront(a)
			return ctx.Err()
		}
		q.mu.Lock()
		q.st.Delivered++
		if d.WAV == nil {
			q.st.Silent++
		}
		q.mu.Unlock()
		deliver(ctx, d)
	}
}

// speak synthesizes a, trying twice.
func (q *Queue) speak(ctx context.Context, a Announcement) Delivery {
	say := make([]string, q.o.Times)
	for i := range say {
		say[i] = a.Text()
	}
	d := Delivery{Announcement: a, Text: strings.Join(say, "，")}
	var err error
	for attempt := range 2 {
		if attempt > 0 {
			q.mu.Lock()
			q.st.Retried++
			q.mu.Unlock()
			if q.o.RetryDelay > 0 {
				select {
				case <-ctx.Done():
					return d
				case <-q.o.After(q.o.RetryDelay):
				}
			}
		}
		var wav []byte
		wav, err = q.try(ctx, d.Text)
		if err == nil {
			d.WAV = wav
			return d
		}
		if ctx.Err() != nil {
			return d
		}
	}
	d.Err = fmt.Errorf("voice: %s: no audio after 2 tries: %w", a.Number, err)
	return d
}

// try runs the Synth once, bounded by SynthTimeout, and checks that it
// gave a WAV with sound.
func (q *Queue) try(ctx context.Context, text string) ([]byte, error) {
	sctx, cancel := context.WithTimeout(ctx, q.o.SynthTimeout)
	defer cancel()
	wav, err := q.s.Speak(sctx, text)
	if err != nil {
		return nil, err
	}
	w, err := ParseWAV(wav)
	if err != nil {
		return nil, err
	}
	if len(w.Data) == 0 {
		return nil, fmt.Errorf("%w: the synth gave a WAV without sound", ErrEngine)
	}
	return wav, nil
}
