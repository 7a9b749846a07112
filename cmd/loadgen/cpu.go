// SPDX-License-Identifier: AGPL-3.0-or-later

package main

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// cpuSample is the CPU time used so far by kioskd, by loadgen and by the
// whole machine, to say who had the cores during a phase.
type cpuSample struct {
	at     time.Time
	kioskd time.Duration
	self   time.Duration
	busy   time.Duration // all CPUs, all processes
}

const clockTick = 100 // USER_HZ on Linux

func sampleCPU(pid int) cpuSample {
	s := cpuSample{at: time.Now()}
	if b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid)); err == nil {
		// the fields after the command name, which is in parentheses
		if i := strings.LastIndexByte(string(b), ')'); i > 0 {
			f := strings.Fields(string(b)[i+1:])
			if len(f) > 13 {
				ut, _ := strconv.ParseInt(f[11], 10, 64)
				st, _ := strconv.ParseInt(f[12], 10, 64)
				s.kioskd = time.Duration(ut+st) * time.Second / clockTick
			}
		}
	}
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) == nil {
		s.self = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	if b, err := os.ReadFile("/proc/stat"); err == nil {
		line, _, _ := strings.Cut(string(b), "\n")
		f := strings.Fields(line)
		var total, idle int64
		for i, v := range f[1:] {
			n, _ := strconv.ParseInt(v, 10, 64)
			if i < 8 { // user nice system idle iowait irq softirq steal
				total += n
			}
			if i == 3 || i == 4 {
				idle += n
			}
		}
		s.busy = time.Duration(total-idle) * time.Second / clockTick
	}
	return s
}

// cpuShare says how many cores kioskd, loadgen and everything else used
// between two samples.
type cpuShare struct {
	Kioskd, Loadgen, Others float64
	KioskdTime              time.Duration // CPU time kioskd used
}

func shareBetween(a, b cpuSample) cpuShare {
	wall := b.at.Sub(a.at).Seconds()
	if wall <= 0 {
		return cpuShare{}
	}
	k := (b.kioskd - a.kioskd).Seconds() / wall
	l := (b.self - a.self).Seconds() / wall
	all := (b.busy - a.busy).Seconds() / wall
	return cpuShare{Kioskd: k, Loadgen: l, Others: max(0, all-k-l), KioskdTime: b.kioskd - a.kioskd}
}

// per says who used the cores, and kioskd's CPU time for each of n
// requests.
func (c cpuShare) per(n int, what string) string {
	s := fmt.Sprintf("kioskd %.2f, loadgen %.2f, other processes %.2f cores", c.Kioskd, c.Loadgen, c.Others)
	if n > 0 {
		s += fmt.Sprintf("; kioskd used %.0f µs of CPU a %s", float64(c.KioskdTime.Microseconds())/float64(n), what)
	}
	return s
}
