// SPDX-License-Identifier: AGPL-3.0-or-later

package main

import (
	"context"
	"log/slog"
	"os"
	"os/signal"
	"reflect"
	"slices"
	"strings"
	"syscall"
	"time"

	"yichuang/config"
)

// configPoll is how often the config file is checked for a change.
const configPoll = 2 * time.Second

// reloader re-reads the terminals of a running kioskd's config file: only
// the terminal list (ids, roles, windows, tokens) applies while running;
// any other change is logged as needing a restart.
type reloader struct {
	path    string
	running *config.Config // as kioskd started; never changed here
	current []config.Terminal
	set     func([]config.Terminal) error // ui.Server.SetTerminals
	log     *slog.Logger
	stamp   fileStamp
}

// fileStamp tells a changed file from an unchanged one.
type fileStamp struct {
	mod  time.Time
	size int64
	err  bool
}

func stampOf(path string) fileStamp {
	st, err := os.Stat(path)
	if err != nil {
		return fileStamp{err: true}
	}
	return fileStamp{mod: st.ModTime(), size: st.Size()}
}

// watchTerminals reloads the terminals on SIGHUP and when the config file
// changes, until ctx ends. SIGHUP is taken before it returns, so a reload
// signal never kills kioskd; without a config file there is nothing to
// reload and a SIGHUP is only logged.
func watchTerminals(ctx context.Context, path string, running *config.Config, set func([]config.Terminal) error, log *slog.Logger) {
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	r := &reloader{path: path, running: running, current: running.Terminals, set: set, log: log}
	if path != "" {
		r.stamp = stampOf(path)
	}
	go func() {
		defer signal.Stop(hup)
		tick := time.NewTicker(configPoll)
		defer tick.Stop()
		r.loop(ctx, hup, tick.C)
	}()
}

func (r *reloader) loop(ctx context.Context, hup <-chan os.Signal, tick <-chan time.Time) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-hup:
			if r.path == "" {
				r.log.Warn("SIGHUP: kioskd runs the embedded default config; there is no file to reload")
				continue
			}
			r.stamp = stampOf(r.path)
			r.reload("SIGHUP")
		case <-tick:
			if r.path == "" {
				continue
			}
			if st := stampOf(r.path); st != r.stamp {
				r.stamp = st
				r.reload("file changed")
			}
		}
	}
}

// reload applies the config file's terminals, or refuses the file with a
// log line and keeps the terminals as they were.
func (r *reloader) reload(trigger string) {
	next, err := config.Load(r.path)
	if err != nil {
		r.log.Error("config reload refused; the terminals stay as they were", "trigger", trigger, "err", err)
		return
	}
	if keys := restartKeys(r.running, next); len(keys) > 0 {
		r.log.Warn("config reload: these changes take effect only after a restart", "trigger", trigger, "keys", keys)
	}
	if len(next.Terminals) == 0 {
		if r.running.DevTokens && sameTerminals(r.current, r.running.Terminals) {
			r.log.Info("config reload: no terminals listed; the development tokens stay", "trigger", trigger)
			return
		}
		r.log.Error("config reload refused: it lists no terminals (development tokens are made only at start); the terminals stay as they were", "trigger", trigger)
		return
	}
	if err := r.set(next.Terminals); err != nil {
		r.log.Error("config reload refused; the terminals stay as they were", "trigger", trigger, "err", err)
		return
	}
	added, removed, changed := diffTerminals(r.current, next.Terminals)
	r.current = next.Terminals
	r.log.Info("terminals reloaded", "trigger", trigger, "terminals", len(next.Terminals),
		"added", added, "removed", removed, "changed", changed)
}

// restartKeys lists the keys (other than terminals) whose values differ
// between the running config and a new one: they apply only on restart.
func restartKeys(running, next *config.Config) []string {
	var keys []string
	changedKeys("", reflect.ValueOf(*running), reflect.ValueOf(*next), &keys)
	if len(next.Terminals) > 0 && running.DeviceTerminal() != next.DeviceTerminal() && !slices.Contains(keys, "devices.terminal") {
		keys = append(keys, "devices.terminal") // the first kiosk's devices stay where they are
	}
	return keys
}

// changedKeys walks two values of one struct type and appends the dotted
// TOML key of each field that differs; tables are walked into.
func changedKeys(prefix string, a, b reflect.Value, out *[]string) {
	t := a.Type()
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("toml"), ",")
		if !f.IsExported() || name == "-" {
			continue
		}
		if name == "" {
			name = strings.ToLower(f.Name)
		}
		key := prefix + name
		if key == "terminals" {
			continue
		}
		if f.Type.Kind() == reflect.Struct {
			changedKeys(key+".", a.Field(i), b.Field(i), out)
			continue
		}
		if !reflect.DeepEqual(a.Field(i).Interface(), b.Field(i).Interface()) {
			*out = append(*out, key)
		}
	}
}

// diffTerminals names the terminals added, removed and changed (role,
// window, department or token) between two lists, by id.
func diffTerminals(old, next []config.Terminal) (added, removed, changed []string) {
	byID := map[string]config.Terminal{}
	for _, t := range old {
		byID[t.ID] = t
	}
	for _, t := range next {
		o, ok := byID[t.ID]
		switch {
		case !ok:
			added = append(added, t.ID)
		case !sameTerminal(o, t):
			changed = append(changed, t.ID)
		}
		delete(byID, t.ID)
	}
	for _, t := range old {
		if _, gone := byID[t.ID]; gone {
			removed = append(removed, t.ID)
		}
	}
	return added, removed, changed
}

func sameTerminal(a, b config.Terminal) bool {
	ha, errA := a.TokenHash()
	hb, errB := b.TokenHash()
	return a.ID == b.ID && a.Role == b.Role && a.Window == b.Window && a.Department == b.Department &&
		errA == nil && errB == nil && ha == hb
}

func sameTerminals(a, b []config.Terminal) bool {
	return slices.EqualFunc(a, b, sameTerminal)
}
