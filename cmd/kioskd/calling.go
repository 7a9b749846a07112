// SPDX-License-Identifier: AGPL-3.0-or-later

package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"time"

	"yichuang/config"
	"yichuang/devices"
	"yichuang/devices/display"
	"yichuang/devices/voice"
	"yichuang/kiosk"
)

// caller turns the hall's ticket.called events into what the hall sees and
// hears: the window's LED strip shows the number, and the call is spoken
// (a WAV the display pages fetch and play, announced by voice.ready).
type caller struct {
	hall   emitter
	log    *slog.Logger
	health *devices.Health
	events chan kiosk.Event
	queue  *voice.Queue // nil: no voice
	synth  voice.Synth
	leds   map[int][]display.Screen

	mu    sync.Mutex
	wavs  map[int64][]byte // voice.ready id → audio, the newest few
	order []int64
	next  int64
}

// called is what a ticket.called event carries.
type called struct {
	Number string `json:"number"`
	Window int    `json:"window"`
	Recall bool   `json:"recall"`
}

func newCaller(ctx context.Context, cfg *config.Config, hall emitter, health *devices.Health, log *slog.Logger) (*caller, error) {
	c := &caller{hall: hall, log: log, health: health, events: make(chan kiosk.Event, 256), leds: map[int][]display.Screen{}, wavs: map[int64][]byte{}}
	var synth voice.Synth
	switch v := cfg.Devices.Voice; v.Engine {
	case "espeak":
		o := voice.DefaultEspeakOpts()
		if v.Voice != "" {
			o.Voice = v.Voice
		}
		e, err := voice.NewEspeak(&o)
		if err != nil {
			// a hall without espeak-ng still shows every call
			health.Set(devices.Status{Device: "voice", State: devices.StateError, Detail: "espeak-ng 未安装 (not installed): " + err.Error(), At: time.Now()})
		} else {
			synth = e
			health.Set(devices.Status{Device: "voice", State: devices.StateOK, At: time.Now()})
		}
	case "clips":
		cl, err := voice.NewClips(os.DirFS(v.Clips), nil)
		if err != nil {
			return nil, fmt.Errorf("config: devices.voice.clips: %w", err)
		}
		synth = cl
		health.Set(devices.Status{Device: "voice", State: devices.StateOK, At: time.Now()})
	}
	c.synth = synth
	if synth != nil {
		q, err := voice.NewQueue(synth, nil)
		if err != nil {
			return nil, fmt.Errorf("voice: %w", err)
		}
		c.queue = q
		go func() { _ = q.Run(ctx, c.spoken) }()
	}
	buses := map[string]*display.Bus{}
	for i, l := range cfg.Devices.LED {
		b := buses[l.Port]
		if b == nil {
			port, err := display.Open(ctx, l.Port, l.Baud)
			if err != nil {
				return nil, fmt.Errorf("config: devices.led[%d].port: %w", i, err)
			}
			context.AfterFunc(ctx, func() { port.Close() })
			o := display.DefaultBusOpts()
			if l.Baud > 0 {
				o.Baud = l.Baud
			}
			if b, err = display.NewBus(port, &o); err != nil {
				return nil, fmt.Errorf("config: devices.led[%d]: %w", i, err)
			}
			buses[l.Port] = b
		}
		o := display.DefaultOpts()
		if l.Format == "framed" {
			o.Format = display.FormatFramed
		}
		o.Addr = l.Address
		if l.Width > 0 {
			o.Width = l.Width
		}
		dev, err := display.New(b, &o)
		if err != nil {
			return nil, fmt.Errorf("config: devices.led[%d]: %w", i, err)
		}
		c.leds[l.Window] = append(c.leds[l.Window], dev)
	}
	go c.run(ctx)
	return c, nil
}

// Publish takes the hall's events; it never blocks the hall.
func (c *caller) Publish(e kiosk.Event) {
	if e.Type != "ticket.called" {
		return
	}
	select {
	case c.events <- e:
	default:
		c.log.Warn("calling outputs behind; a call was not shown on the LED strip or spoken")
	}
}

func (c *caller) run(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case e := <-c.events:
			var d called
			if err := json.Unmarshal(e.Data, &d); err != nil {
				continue
			}
			if c.queue != nil {
				if err := c.queue.Add(voice.Announcement{Number: d.Number, Window: d.Window, Recall: d.Recall}); err != nil {
					c.log.Error("voice queue", "err", err)
				}
			}
			for _, s := range c.leds[d.Window] {
				text := fmt.Sprintf("%s 请到%d号窗口", d.Number, d.Window)
				if err := s.Show(ctx, text); err != nil {
					c.health.Set(devices.Status{Device: fmt.Sprintf("led-%d", d.Window), State: devices.StateError, Detail: err.Error(), At: time.Now()})
					continue
				}
				c.health.Set(devices.Status{Device: fmt.Sprintf("led-%d", d.Window), State: devices.StateOK, At: time.Now()})
			}
		}
	}
}

// spoken keeps a call's audio and tells the displays where to fetch it.
func (c *caller) spoken(ctx context.Context, d voice.Delivery) {
	data := map[string]any{"number": d.Number, "window": d.Window, "text": d.Text, "recall": d.Recall}
	if d.WAV != nil {
		c.mu.Lock()
		c.next++
		id := c.next
		c.wavs[id] = d.WAV
		c.order = append(c.order, id)
		for len(c.order) > 20 {
			delete(c.wavs, c.order[0])
			c.order = c.order[1:]
		}
		c.mu.Unlock()
		data["audio"] = fmt.Sprintf("/api/v1/voice/%d.wav", id)
	} else if d.Err != nil {
		c.log.Warn("call not synthesised; shown only", "err", d.Err)
	}
	if err := c.hall.Emit(ctx, "voice.ready", data, "", nil); err != nil && !errors.Is(err, context.Canceled) {
		c.log.Error("voice event", "err", err)
	}
}

// WAV returns a spoken call's audio by its id.
func (c *caller) WAV(id int64) ([]byte, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	b, ok := c.wavs[id]
	return b, ok
}
