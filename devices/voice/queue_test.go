// SPDX-License-Identifier: AGPL-3.0-or-later

package voice_test

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"reflect"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"yichuang/devices/voice"
)

// fakeSynth answers with a tiny WAV, failing or hanging as told.
type fakeSynth struct {
	mu     sync.Mutex
	calls  []string
	fail   int  // fail the next fail calls
	hang   int  // hang (until ctx ends) on the next hang calls
	broken bool // answer bytes that are not a WAV
	delay  time.Duration
}

var errSynth = errors.New("synth on fire")

func (f *fakeSynth) Speak(ctx context.Context, text string) ([]byte, error) {
	f.mu.Lock()
	f.calls = append(f.calls, text)
	fail, hang, broken, delay := f.fail > 0, f.hang > 0, f.broken, f.delay
	if fail {
		f.fail--
	}
	if hang {
		f.hang--
	}
	f.mu.Unlock()
	switch {
	case hang:
		<-ctx.Done()
		return nil, ctx.Err()
	case fail:
		return nil, errSynth
	case broken:
		return []byte("RIFF"), nil
	}
	if delay > 0 {
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(delay):
		}
	}
	return voice.WAV{Format: mono16, Data: []byte(text)[:len(text)/2*2]}.Bytes(), nil
}

func (f *fakeSynth) set(fn func(*fakeSynth)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	fn(f)
}

// running is a Queue's Run on its own goroutine, its deliveries on a
// channel.
type running struct {
	q      *voice.Queue
	out    chan voice.Delivery
	cancel context.CancelFunc
	done   chan error
}

func run(t *testing.T, q *voice.Queue, consume func(context.Context, voice.Delivery)) *running {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	r := &running{q: q, out: make(chan voice.Delivery, 1000), cancel: cancel, done: make(chan error, 1)}
	go func() {
		r.done <- q.Run(ctx, func(ctx context.Context, d voice.Delivery) {
			if consume != nil {
				consume(ctx, d)
			}
			r.out <- d
		})
	}()
	t.Cleanup(func() { r.stop(t) })
	return r
}

func (r *running) stop(t *testing.T) {
	t.Helper()
	r.cancel()
	select {
	case err := <-r.done:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("Run = %v", err)
		}
		r.done <- err // for a second stop
	case <-time.After(2 * time.Second):
		t.Fatal("Run did not return after cancel")
	}
}

func (r *running) next(t *testing.T) voice.Delivery {
	t.Helper()
	select {
	case d := <-r.out:
		return d
	case <-time.After(2 * time.Second):
		t.Fatal("nothing delivered in 2 s")
	}
	return voice.Delivery{}
}

func newQueue(t *testing.T, s voice.Synth, o *voice.QueueOpts) *voice.Queue {
	t.Helper()
	if o == nil {
		o = &voice.QueueOpts{}
	}
	if o.RetryDelay == 0 {
		o.RetryDelay = time.Millisecond
	}
	q, err := voice.NewQueue(s, o)
	if err != nil {
		t.Fatal(err)
	}
	return q
}

// Eight goroutines add 25 calls each while the queue runs: every call is
// delivered once, each goroutine's in the order it added them, none
// overlapping another.
func TestQueueConcurrentAddsInOrder(t *testing.T) {
	q := newQueue(t, &fakeSynth{}, &voice.QueueOpts{Max: 1000})
	var inFlight, overlaps atomic.Int32
	var mu sync.Mutex
	var spans [][2]time.Time
	r := run(t, q, func(ctx context.Context, d voice.Delivery) {
		if inFlight.Add(1) > 1 {
			overlaps.Add(1)
		}
		start := time.Now()
		time.Sleep(100 * time.Microsecond) // playing
		end := time.Now()
		inFlight.Add(-1)
		mu.Lock()
		spans = append(spans, [2]time.Time{start, end})
		mu.Unlock()
	})
	const writers, each = 8, 25
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for i := range each {
				if err := q.Add(voice.Announcement{Number: fmt.Sprintf("%c%03d", 'A'+w, i), Window: w + 1}); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	last := map[byte]int{}
	for range writers * each {
		d := r.next(t)
		if d.Err != nil || d.WAV == nil {
			t.Fatalf("%s delivered without audio: %v", d.Number, d.Err)
		}
		var zone byte
		var n int
		fmt.Sscanf(d.Number, "%c%03d", &zone, &n)
		if prev, ok := last[zone]; ok && n != prev+1 || !ok && n != 0 {
			t.Fatalf("%s delivered after %c%03d", d.Number, zone, prev)
		}
		last[zone] = n
		if d.Text != d.Announcement.Text() {
			t.Errorf("text %q", d.Text)
		}
	}
	if overlaps.Load() != 0 {
		t.Errorf("%d deliveries overlapped", overlaps.Load())
	}
	mu.Lock()
	for i := 1; i < len(spans); i++ {
		if spans[i][0].Before(spans[i-1][1]) {
			t.Errorf("delivery %d started before %d ended", i, i-1)
		}
	}
	mu.Unlock()
	st := q.Stats()
	if st.Added != writers*each || st.Delivered != writers*each || st.Dropped != 0 || st.Silent != 0 || st.Waiting != 0 {
		t.Errorf("stats %+v", st)
	}
}

// A synth that fails once is retried; one that fails twice still lets the
// call through, silent and with the error; the next call speaks again.
func TestQueueFailureThenRecovery(t *testing.T) {
	s := &fakeSynth{fail: 1}
	q := newQueue(t, s, &voice.QueueOpts{SynthTimeout: 50 * time.Millisecond})
	r := run(t, q, nil)

	q.Add(voice.Announcement{Number: "A001", Window: 1})
	if d := r.next(t); d.WAV == nil || d.Err != nil {
		t.Errorf("one failure: delivered %v, %v", d.WAV != nil, d.Err)
	}

	s.set(func(s *fakeSynth) { s.fail = 2 })
	q.Add(voice.Announcement{Number: "A002", Window: 1})
	q.Add(voice.Announcement{Number: "A003", Window: 1})
	d := r.next(t)
	if d.Number != "A002" || d.WAV != nil || !errors.Is(d.Err, errSynth) {
		t.Errorf("two failures: %s, audio %v, err %v", d.Number, d.WAV != nil, d.Err)
	}
	t.Logf("silent delivery: %v", d.Err)
	if d.Text != "请A零零二号到一号窗口办理" {
		t.Errorf("text %q", d.Text)
	}
	if d := r.next(t); d.Number != "A003" || d.WAV == nil {
		t.Errorf("after the failures: %s, audio %v, err %v", d.Number, d.WAV != nil, d.Err)
	}

	// A synth that hangs is cut off by SynthTimeout, twice, and the queue
	// goes on; one that answers garbage counts as failing.
	s.set(func(s *fakeSynth) { s.hang = 2 })
	q.Add(voice.Announcement{Number: "A004", Window: 1})
	if d := r.next(t); d.WAV != nil || !errors.Is(d.Err, context.DeadlineExceeded) {
		t.Errorf("hanging synth: audio %v, err %v", d.WAV != nil, d.Err)
	}
	s.set(func(s *fakeSynth) { s.broken = true })
	q.Add(voice.Announcement{Number: "A005", Window: 1})
	if d := r.next(t); d.WAV != nil || !errors.Is(d.Err, voice.ErrNotWAV) {
		t.Errorf("garbage synth: audio %v, err %v", d.WAV != nil, d.Err)
	}
	s.set(func(s *fakeSynth) { s.broken = false })
	q.Add(voice.Announcement{Number: "A006", Window: 1})
	if d := r.next(t); d.WAV == nil {
		t.Errorf("recovered synth: %v", d.Err)
	}
	st := q.Stats()
	if st.Delivered != 6 || st.Silent != 3 || st.Retried != 4 {
		t.Errorf("stats %+v", st)
	}
}

// A full queue drops the oldest call that is not a recall.
func TestQueueFull(t *testing.T) {
	var dropped []string
	q := newQueue(t, &fakeSynth{}, &voice.QueueOpts{Max: 3, Dropped: func(a voice.Announcement) {
		dropped = append(dropped, fmt.Sprintf("%s/%v", a.Number, a.Recall))
	}})
	add := func(n string, recall bool) {
		if err := q.Add(voice.Announcement{Number: n, Window: 1, Recall: recall}); err != nil {
			t.Fatal(err)
		}
	}
	add("A001", true)
	add("A002", false)
	add("A003", false)
	add("A004", false) // drops A002
	add("A005", true)  // drops A003
	add("A006", true)  // drops A004
	add("A007", false) // only recalls wait: drops A001, the oldest
	add("A008", true)  // drops A007, the only call
	want := []string{"A002/false", "A003/false", "A004/false", "A001/true", "A007/false"}
	if !reflect.DeepEqual(dropped, want) {
		t.Errorf("dropped %v, want %v", dropped, want)
	}
	r := run(t, q, nil)
	var got []string
	for range 3 {
		got = append(got, r.next(t).Number)
	}
	if !reflect.DeepEqual(got, []string{"A005", "A006", "A008"}) {
		t.Errorf("delivered %v", got)
	}
	if st := q.Stats(); st.Dropped != 5 || st.Added != 8 {
		t.Errorf("stats %+v", st)
	}
}

// Stopping Run mid-synthesis keeps the call for the next Run; a second
// Run at once is refused.
func TestQueueStopAndResume(t *testing.T) {
	s := &fakeSynth{delay: time.Hour}
	q := newQueue(t, s, nil)
	r := run(t, q, nil)
	q.Add(voice.Announcement{Number: "A001", Window: 3})
	q.Add(voice.Announcement{Number: "A002", Window: 3})
	deadline := time.Now().Add(2 * time.Second)
	for {
		s.mu.Lock()
		n := len(s.calls)
		s.mu.Unlock()
		if n > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("synth never called")
		}
		time.Sleep(time.Millisecond)
	}
	if err := q.Run(context.Background(), func(context.Context, voice.Delivery) {}); !errors.Is(err, voice.ErrRunning) {
		t.Errorf("second Run = %v", err)
	}
	r.stop(t)
	if q.Len() != 2 {
		t.Fatalf("%d waiting after stop, want 2", q.Len())
	}
	s.set(func(s *fakeSynth) { s.delay = 0 })
	r2 := run(t, q, nil)
	if d := r2.next(t); d.Number != "A001" || d.WAV == nil {
		t.Errorf("first after resume: %s %v", d.Number, d.Err)
	}
	if d := r2.next(t); d.Number != "A002" {
		t.Errorf("second after resume: %s", d.Number)
	}
}

func TestQueueAddAndOpts(t *testing.T) {
	s := &fakeSynth{}
	q := newQueue(t, s, &voice.QueueOpts{Times: 2})
	if err := q.Add(voice.Announcement{Number: "--", Window: 1}); !errors.Is(err, voice.ErrNumber) {
		t.Errorf("Add of nothing to read = %v", err)
	}
	q.Add(voice.Announcement{Number: "B007", Window: 12, Recall: true})
	r := run(t, q, nil)
	d := r.next(t)
	if want := "请B零零七号到十二号窗口办理，请B零零七号到十二号窗口办理"; d.Text != want || !d.Recall {
		t.Errorf("delivered %q (recall %v), want %q", d.Text, d.Recall, want)
	}
	if _, err := voice.NewQueue(nil, nil); err == nil {
		t.Error("nil synth accepted")
	}
	if err := q.Run(context.Background(), nil); err == nil {
		t.Error("nil consumer accepted")
	}
}

// The real engine behind the queue, as the daemon runs it.
func TestQueueWithEspeak(t *testing.T) {
	if _, err := exec.LookPath("espeak-ng"); err != nil {
		t.Skip("espeak-ng is not installed (Debian: apt-get install espeak-ng): ", err)
	}
	e, err := voice.NewEspeak(nil)
	if err != nil {
		t.Fatal(err)
	}
	q := newQueue(t, e, nil)
	r := run(t, q, nil)
	calls := []voice.Announcement{{Number: "A012", Window: 3}, {Number: "B105", Window: 12}, {Number: "A012", Window: 3, Recall: true}}
	start := time.Now()
	for _, a := range calls {
		q.Add(a)
	}
	for _, a := range calls {
		d := r.next(t)
		if d.Announcement != a || d.Err != nil {
			t.Fatalf("delivered %+v, %v; want %+v", d.Announcement, d.Err, a)
		}
		w, err := voice.ParseWAV(d.WAV)
		if err != nil || w.Duration() < 500*time.Millisecond {
			t.Errorf("%s: %v, %v", d.Text, w.Duration(), err)
		}
	}
	t.Logf("3 calls spoken by espeak-ng in %v", time.Since(start).Round(time.Millisecond))
}
