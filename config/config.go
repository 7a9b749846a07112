// SPDX-License-Identifier: AGPL-3.0-or-later

// Package config is kioskd's typed configuration: TOML loading on top of the
// embedded default hall, validation with errors that name the key at fault,
// and the shipped sample catalog.
package config

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/BurntSushi/toml"
)

//go:embed default.toml
var defaultTOML []byte

//go:embed catalog.json
var defaultCatalog []byte

//go:embed synonyms.json
var defaultSynonyms []byte

// DefaultSynonyms returns the catalog search's aliases and English names
// (config/synonyms.json).
func DefaultSynonyms() []byte { return bytes.Clone(defaultSynonyms) }

// DefaultTOML returns the embedded default hall's config text.
func DefaultTOML() []byte { return bytes.Clone(defaultTOML) }

// DefaultCatalog returns the shipped sample catalog (JSON).
func DefaultCatalog() []byte { return bytes.Clone(defaultCatalog) }

// Config is the whole of kioskd's configuration.
type Config struct {
	Listen       string       `toml:"listen"`
	DataDir      string       `toml:"data_dir"`
	Timezone     string       `toml:"timezone"`
	PublicURL    string       `toml:"public_url"`
	LogLevel     string       `toml:"log_level"`
	Terminals    []Terminal   `toml:"terminals"`
	Hall         Hall         `toml:"hall"`
	Queue        Queue        `toml:"queue"`
	Cases        Cases        `toml:"cases"`
	Retention    Retention    `toml:"retention"`
	Materials    Materials    `toml:"materials"`
	Appointments Appointments `toml:"appointments"`
	Limits       Limits       `toml:"limits"`
	Staff        Staff        `toml:"staff"`
	TLS          TLS          `toml:"tls"`
	Zones        []Zone       `toml:"zones"`
	Windows      []Window     `toml:"windows"`
	Mail         Mail         `toml:"mail"`
	Catalog      Catalog      `toml:"catalog"`
	Devices      Devices      `toml:"devices"`
	Platform     Platform     `toml:"platform"`
	Upstream     Upstream     `toml:"upstream"`
	Leases       Leases       `toml:"leases"`
	District     District     `toml:"district"`

	// Mode is "production" (the default) or "drill": only a drill (or a
	// test) may run on a chosen clock (KIOSKD_CLOCK).
	Mode string `toml:"mode"`

	// Location is Timezone loaded; set by Validate.
	Location *time.Location `toml:"-"`
	// DevTokens is true when the terminals are generated development ones.
	DevTokens bool `toml:"-"`
}

// Modes a node runs in.
const (
	ModeProduction = "production"
	ModeDrill      = "drill" // drills and tests: a chosen clock (KIOSKD_CLOCK) is allowed
)

// Roles a terminal can have.
const (
	RoleKiosk   = "kiosk"
	RoleGuide   = "guide"
	RoleWindow  = "window"
	RoleDisplay = "display"
	RoleAdmin   = "admin"
	// RoleDepartment is a back office (后台) that approves its department's cases.
	RoleDepartment = "department"
	// RoleCounter is a window's citizen-facing screen (评价屏): it rates the
	// service its window last finished, once.
	RoleCounter = "counter"
)

// Terminal is one caller of the API and its bearer token.
type Terminal struct {
	ID         string `toml:"id"`
	Role       string `toml:"role"`
	Window     int    `toml:"window"`
	Department string `toml:"department"` // role department: whose cases it handles
	Token      string `toml:"token"`
	// TokenSHA256 is the token's SHA-256 in hex, given instead of token so
	// the file need not hold the secret (`kioskd token` prints both).
	TokenSHA256 string `toml:"token_sha256"`
}

// Hall is the hall's identity and working hours.
type Hall struct {
	Name      string   `toml:"name"`
	Code      string   `toml:"code"`
	Opening   string   `toml:"opening"`
	Closing   string   `toml:"closing"`
	CarryOver bool     `toml:"carry_over"`
	Holidays  []string `toml:"holidays"`
	Workdays  []string `toml:"workdays"`

	// IssueOutsideHours: tickets are issued after closing and on
	// non-working days too (they expire unserved unless carried over).
	IssueOutsideHours bool `toml:"issue_outside_hours"`
}

// Queue tunes the calling order and the anti-scalping rules.
type Queue struct {
	PriorityRatio      int      `toml:"priority_ratio"`
	MaxWaitMinutes     int      `toml:"max_wait_minutes"`
	MaxRecalls         int      `toml:"max_recalls"`
	NoShowAfterRecalls int      `toml:"no_show_after_recalls"`
	DailyCapPerID      int      `toml:"daily_cap_per_id"`
	PriorityReasons    []string `toml:"priority_reasons"`

	// AnonymousPerMinute caps the tickets without an ID number one kiosk
	// issues in a minute (0: no cap); guide desks are not capped.
	AnonymousPerMinute int `toml:"anonymous_per_minute"`
}

// Cases sets case numbering and supervision.
type Cases struct {
	NumberFormat string `toml:"number_format"`
	YellowDays   int    `toml:"yellow_days"`
	FollowupDays int    `toml:"followup_days"`
}

// Staff are the people who sign in at window and guide terminals.
type Staff struct {
	// Required: window and guide terminals change nothing until a member
	// of staff signs in on them.
	Required    bool     `toml:"required"`
	IdleMinutes int      `toml:"idle_minutes"` // a session ends after this long unused
	Members     []Member `toml:"members"`
}

// Member is one member of staff; pin_hash comes from `kioskd pin-hash`.
type Member struct {
	ID      string `toml:"id"`
	Name    string `toml:"name"`
	PINHash string `toml:"pin_hash"`
	// Agent: an agent (代办员, 帮办代办) who, signed in at a guide terminal,
	// takes over citizens' matters with their consent (the /agent page).
	Agent bool `toml:"agent"`
}

// Limits protect the API from a runaway terminal and the public status
// page from scraping (0: off).
type Limits struct {
	TerminalPerSecond float64 `toml:"terminal_per_second"` // requests per second per terminal
	TerminalBurst     int     `toml:"terminal_burst"`
	PublicPerSecond   float64 `toml:"public_per_second"` // unauthenticated requests per second per client address
	PublicBurst       int     `toml:"public_burst"`
	// SocketsPerTerminal caps the event WebSockets one terminal (one
	// token) holds open at once; one more is refused with 429.
	SocketsPerTerminal int `toml:"sockets_per_terminal"`

	// IssueCost is what a request that issues a ticket (a ticket, a
	// check-in, a takeover) takes of its terminal's bucket, in requests.
	IssueCost int `toml:"issue_cost"`
}

// Appointments sets the rules of booked slots (NORMS.md).
type Appointments struct {
	SlotCapacity     int `toml:"slot_capacity"`      // appointments per zone and slot
	EarlyMinutes     int `toml:"early_minutes"`      // check-in opens this long before the slot
	VoidAfterMinutes int `toml:"void_after_minutes"` // not checked in this long after the start: void
}

// Retention says how long personal data and materials are kept.
type Retention struct {
	MaterialsDays int `toml:"materials_days"`
	// PersonalDays: the applicant's data on a ticket (the sealed
	// submission) and on an appointment is deleted this long after the
	// ticket ended and its cases closed (0: kept).
	PersonalDays int `toml:"personal_days"`
}

// Materials bounds what a citizen may hand in as one material.
type Materials struct {
	MaxBytes int64 `toml:"max_bytes"` // an upload's size
	MaxPages int   `toml:"max_pages"` // pages of one material
}

// Zone is one comprehensive intake area.
type Zone struct {
	ID          string   `toml:"id"`
	Name        string   `toml:"name"`
	NameEN      string   `toml:"name_en"`
	Prefix      string   `toml:"prefix"` // default: ID
	Windows     []int    `toml:"windows"`
	Departments []string `toml:"departments"`
}

// Window adds settings to a window listed in a zone.
type Window struct {
	Number int      `toml:"number"`
	Helps  []string `toml:"helps"`
}

// Mail holds the free-mailing rules.
type Mail struct {
	ExcludedDepartments []string `toml:"excluded_departments"`
}

// Catalog names an imported catalog (CSV or JSON) that replaces the shipped one.
type Catalog struct {
	File         string `toml:"file"`
	PackagesFile string `toml:"packages_file"` // a CSV of 一件事 packages that replaces the catalog's
}

// Devices configures this machine's devices.
type Devices struct {
	// Terminal is the terminal whose devices these are (default: the first
	// kiosk terminal): its card reads and its tickets' printing.
	Terminal  string    `toml:"terminal"`
	IDCard    IDCard    `toml:"idcard"`
	Printer   Printer   `toml:"printer"`
	Scanner   Scanner   `toml:"scanner"`
	RatingPad RatingPad `toml:"rating_pad"`
	QR        QR        `toml:"qr"`
	LED       []LED     `toml:"led"`
	Voice     Voice     `toml:"voice"`
}

// LED is a window's LED strip on a serial (RS-485) line; strips on the same
// port share one bus.
type LED struct {
	Port    string `toml:"port"`    // serial device path
	Baud    int    `toml:"baud"`    // default 9600
	Format  string `toml:"format"`  // line | framed
	Address int    `toml:"address"` // the screen's address on the bus (framed: 1–255)
	Width   int    `toml:"width"`   // columns (a CJK character takes two); default 16
	Window  int    `toml:"window"`  // the window whose calls it shows
}

// Voice speaks every call in the hall.
type Voice struct {
	Engine string `toml:"engine"` // espeak | clips | off
	Voice  string `toml:"voice"`  // espeak-ng voice (default cmn-latn-pinyin)
	Clips  string `toml:"clips"`  // the folder of recorded clips, engine clips
}

// RatingPad is a window's five-key rating pad (评价器), a USB HID device.
type RatingPad struct {
	Device string `toml:"device"` // VID:PID[/INTERFACE] in hex; empty: none
	KeyMap string `toml:"keymap"` // keyboard | example-code | example-bitmap
	Window int    `toml:"window"` // the window whose finished tickets it rates
	// Keys is a pad model's own key map instead of a named one: key code
	// ("0x1e") → rating level 1..5; see ratingpad.go.
	Keys      map[string]int `toml:"keys"`
	KeyFormat string         `toml:"key_format"` // keyboard (default) | code | bitmap
	KeyByte   int            `toml:"key_byte"`   // code, bitmap: the report byte holding the keys
	ReportID  int            `toml:"report_id"`  // the pad's first report byte; 0: none
}

// QR is the QR code reader read as HID reports.
type QR struct {
	Device string `toml:"device"` // VID:PID[/INTERFACE] in hex; empty: none
	Mode   string `toml:"mode"`   // hidpos | keyboard
}

// IDCard configures the ID card reader.
type IDCard struct {
	Port        string `toml:"port"` // serial path, "sim", or empty for none
	Baud        int    `toml:"baud"`
	Fingerprint bool   `toml:"fingerprint"`
}

// Printer configures the ticket printer.
type Printer struct {
	URI       string   `toml:"uri"`
	Width     int      `toml:"width_mm"` // 58 or 80
	NativeQR  bool     `toml:"native_qr"`
	Notices   []string `toml:"notices"`
	OnFailure string   `toml:"on_failure"` // void | hold
}

// Scanner configures the document scanner.
type Scanner struct {
	Backend string `toml:"backend"` // sane | folder | sim
	Device  string `toml:"device"`
	Folder  string `toml:"folder"`
}

// Platform is the hand-off to the city's platform.
type Platform struct {
	URL    string `toml:"url"`
	Secret string `toml:"secret"`
	Dir    string `toml:"dir"`
}

// Upstream is the hall node a terminal node forwards to.
type Upstream struct {
	URL   string `toml:"url"`
	Token string `toml:"token"`
	// TimeoutMS is how long a ticket waits for the hall node before the
	// terminal issues it from its offline block.
	TimeoutMS int `toml:"timeout_ms"`
	// CAFile is a PEM bundle of the CAs trusted for the hall node's
	// certificate (https); empty: the system's roots. See TLSConfig.
	CAFile string `toml:"ca_file"`
}

// District joins this hall node to its district over NATS JetStream: the
// district hub, or one of its centres. Absent (no centre): a hall alone.
type District struct {
	Centre     string   `toml:"centre"`      // this centre's code, e.g. "350303-00"
	Name       string   `toml:"name"`        // shown at the hub; default: hall.name
	Hub        bool     `toml:"hub"`         // this node is the district hub
	LeafListen string   `toml:"leaf_listen"` // hub: where centres' leaf links connect
	URL        []string `toml:"url"`         // a centre: the hub's (or a NATS cluster's) leaf addresses
	Token      string   `toml:"token"`       // the leaf link's credential
	Store      string   `toml:"store"`       // JetStream storage; default data_dir/nats
	// TLS of the leaf link: the hub serves cert/key; a centre trusts ca_file.
	Cert   string `toml:"cert"`
	Key    string `toml:"key"`
	CAFile string `toml:"ca_file"`
	// FiguresSeconds is how often the hall tells the district today's figures.
	FiguresSeconds int `toml:"figures_seconds"`
}

// Enabled says whether this node is part of a district.
func (d District) Enabled() bool { return d.Centre != "" }

// Leases are the blocks of ticket numbers the hall node grants each
// terminal node in advance, so a kiosk keeps issuing while the hall node
// cannot be reached.
type Leases struct {
	Size        int `toml:"size"`         // numbers per block
	FirstNumber int `toml:"first_number"` // blocks start here, above a normal day's numbers
	TTLMinutes  int `toml:"ttl_minutes"`  // a block expires this long after it is granted, or at the hall day's end
	MaxBlocks   int `toml:"max_blocks"`   // blocks per terminal, zone and day
}

// Error is a configuration error that names the key at fault.
type Error struct {
	Key string
	Msg string
}

func (e *Error) Error() string {
	if e.Key == "" {
		return "config: " + e.Msg
	}
	return fmt.Sprintf("config: %s: %s", e.Key, e.Msg)
}

func errf(key, format string, args ...any) error {
	return &Error{Key: key, Msg: fmt.Sprintf(format, args...)}
}

// Default returns the embedded default hall, validated.
func Default() (*Config, error) {
	return Parse(nil)
}

// Load reads a config file on top of the embedded default and validates it.
// An empty path loads the default alone.
func Load(path string) (*Config, error) {
	if path == "" {
		return Default()
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	return Parse(b)
}

// Parse decodes TOML text on top of the embedded default and validates the
// result. Unknown keys are errors.
func Parse(text []byte) (*Config, error) {
	var c Config
	if _, err := toml.Decode(string(defaultTOML), &c); err != nil {
		return nil, fmt.Errorf("config: embedded default: %w", err)
	}
	if len(text) > 0 {
		md, err := toml.Decode(string(text), &c)
		if err != nil {
			var pe toml.ParseError
			if errors.As(err, &pe) {
				return nil, fmt.Errorf("config: line %d: %s", pe.Position.Line, strings.ReplaceAll(pe.Message, "\n", " "))
			}
			// decoding errors name the line and the key already
			return nil, errors.New("config: " + strings.TrimPrefix(err.Error(), "toml: "))
		}
		if und := md.Undecoded(); len(und) > 0 {
			return nil, errf(und[0].String(), "unknown key")
		}
		// a file that lays out its own zones starts without the default
		// hall's window settings
		if md.IsDefined("zones") && !md.IsDefined("windows") {
			c.Windows = nil
		}
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return &c, nil
}

var (
	reTerminalID = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$`)
	reZoneID     = regexp.MustCompile(`^[A-Z]$`)
	reHHMM       = regexp.MustCompile(`^([01][0-9]|2[0-3]):[0-5][0-9]$`)
)

// Validate checks every value and fills derived defaults.
func (c *Config) Validate() error {
	if c.Listen == "" {
		return errf("listen", "must be host:port")
	}
	if _, port, err := net.SplitHostPort(c.Listen); err != nil || port == "" {
		return errf("listen", "%q is not host:port", c.Listen)
	}
	if c.DataDir == "" {
		return errf("data_dir", "must not be empty")
	}
	loc, err := time.LoadLocation(c.Timezone)
	if err != nil || c.Timezone == "" {
		return errf("timezone", "unknown time zone %q", c.Timezone)
	}
	c.Location = loc
	if c.PublicURL == "" {
		c.PublicURL = "http://" + c.Listen
		if c.TLS.Enabled() {
			c.PublicURL = "https://" + c.Listen
		}
	}
	if u, err := url.Parse(c.PublicURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return errf("public_url", "%q is not an http(s) URL", c.PublicURL)
	}
	c.PublicURL = strings.TrimRight(c.PublicURL, "/")
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		return errf("log_level", "%q is not one of debug, info, warn, error", c.LogLevel)
	}
	switch c.Mode {
	case "":
		c.Mode = ModeProduction
	case ModeProduction, ModeDrill:
	default:
		return errf("mode", "%q is not production or drill", c.Mode)
	}
	if err := c.validateHall(); err != nil {
		return err
	}
	if err := c.validateQueue(); err != nil {
		return err
	}
	windows, err := c.validateZones()
	if err != nil {
		return err
	}
	if err := c.validateTerminals(windows); err != nil {
		return err
	}
	if err := c.validateDevices(windows); err != nil {
		return err
	}
	return c.validateTLS()
}

func (c *Config) validateHall() error {
	h := &c.Hall
	if strings.TrimSpace(h.Name) == "" {
		return errf("hall.name", "must not be empty")
	}
	if !reHHMM.MatchString(h.Opening) {
		return errf("hall.opening", "%q is not HH:MM", h.Opening)
	}
	if !reHHMM.MatchString(h.Closing) {
		return errf("hall.closing", "%q is not HH:MM", h.Closing)
	}
	if h.Closing <= h.Opening {
		return errf("hall.closing", "%s is not after opening %s", h.Closing, h.Opening)
	}
	for i, d := range h.Holidays {
		if _, err := time.Parse(time.DateOnly, d); err != nil {
			return errf(fmt.Sprintf("hall.holidays[%d]", i), "%q is not YYYY-MM-DD", d)
		}
	}
	for i, d := range h.Workdays {
		if _, err := time.Parse(time.DateOnly, d); err != nil {
			return errf(fmt.Sprintf("hall.workdays[%d]", i), "%q is not YYYY-MM-DD", d)
		}
	}
	if c.Cases.NumberFormat == "" || !strings.Contains(c.Cases.NumberFormat, "{seq") {
		return errf("cases.number_format", "%q needs a sequence ({seq4})", c.Cases.NumberFormat)
	}
	if c.Cases.YellowDays < 0 {
		return errf("cases.yellow_days", "must not be negative")
	}
	if c.Cases.FollowupDays < 1 {
		return errf("cases.followup_days", "must be at least 1")
	}
	if c.Limits.IssueCost < 0 {
		return errf("limits.issue_cost", "%d is negative", c.Limits.IssueCost)
	}
	if l := c.Limits; l.TerminalPerSecond < 0 || l.PublicPerSecond < 0 || l.TerminalBurst < 0 || l.PublicBurst < 0 || l.SocketsPerTerminal < 0 {
		return errf("limits", "rates, bursts and sockets_per_terminal must not be negative")
	}
	if c.Staff.IdleMinutes < 1 {
		return errf("staff.idle_minutes", "must be at least 1")
	}
	if c.Staff.Required && len(c.Staff.Members) == 0 {
		return errf("staff.required", "no staff.members can sign in")
	}
	seenStaff := map[string]bool{}
	for i, m := range c.Staff.Members {
		key := fmt.Sprintf("staff.members[%d]", i)
		if !reTerminalID.MatchString(m.ID) || seenStaff[m.ID] {
			return errf(key+".id", "%q is not a new staff id (letters, digits, - _ .)", m.ID)
		}
		seenStaff[m.ID] = true
		if strings.TrimSpace(m.Name) == "" {
			return errf(key+".name", "must not be empty")
		}
		if !strings.HasPrefix(m.PINHash, "$argon2id$") {
			return errf(key+".pin_hash", "not an argon2id hash: make one with `kioskd pin-hash`")
		}
	}
	if c.Appointments.SlotCapacity < 1 {
		return errf("appointments.slot_capacity", "must be at least 1")
	}
	if c.Appointments.EarlyMinutes < 0 || c.Appointments.EarlyMinutes > 24*60 {
		return errf("appointments.early_minutes", "must be 0 to 1440")
	}
	if c.Appointments.VoidAfterMinutes < 0 || c.Appointments.VoidAfterMinutes > 24*60 {
		return errf("appointments.void_after_minutes", "must be 0 to 1440")
	}
	if c.Materials.MaxBytes < 1<<10 || c.Materials.MaxBytes > 1<<30 {
		return errf("materials.max_bytes", "must be 1 KiB to 1 GiB")
	}
	if c.Materials.MaxPages < 1 || c.Materials.MaxPages > 2000 {
		return errf("materials.max_pages", "must be 1 to 2000")
	}
	if c.Retention.PersonalDays < 0 {
		return errf("retention.personal_days", "must not be negative")
	}
	if c.Retention.MaterialsDays < 0 {
		return errf("retention.materials_days", "must not be negative")
	}
	return nil
}

func (c *Config) validateQueue() error {
	q := &c.Queue
	switch {
	case q.PriorityRatio < 0:
		return errf("queue.priority_ratio", "must not be negative")
	case q.MaxWaitMinutes < 0:
		return errf("queue.max_wait_minutes", "must not be negative")
	case q.MaxRecalls < 0:
		return errf("queue.max_recalls", "must not be negative")
	case q.NoShowAfterRecalls < 0 || q.NoShowAfterRecalls > q.MaxRecalls:
		return errf("queue.no_show_after_recalls", "must be between 0 and queue.max_recalls (%d)", q.MaxRecalls)
	case q.DailyCapPerID < 0:
		return errf("queue.daily_cap_per_id", "must not be negative")
	}
	for i, r := range q.PriorityReasons {
		if strings.TrimSpace(r) == "" {
			return errf(fmt.Sprintf("queue.priority_reasons[%d]", i), "must not be empty")
		}
	}
	return nil
}

// validateZones returns the set of window numbers the zones define.
func (c *Config) validateZones() (map[int]string, error) {
	if len(c.Zones) == 0 {
		return nil, errf("zones", "at least one zone is needed")
	}
	windows := map[int]string{}
	ids := map[string]bool{}
	prefixes := map[string]string{}
	for i := range c.Zones {
		z := &c.Zones[i]
		key := fmt.Sprintf("zones[%d]", i)
		if !reZoneID.MatchString(z.ID) {
			return nil, errf(key+".id", "%q is not one capital letter", z.ID)
		}
		if ids[z.ID] {
			return nil, errf(key+".id", "zone %s is defined twice", z.ID)
		}
		ids[z.ID] = true
		if z.Prefix == "" {
			z.Prefix = z.ID
		}
		if !reZoneID.MatchString(z.Prefix) {
			return nil, errf(key+".prefix", "%q is not one capital letter", z.Prefix)
		}
		if other, dup := prefixes[z.Prefix]; dup {
			return nil, errf(key+".prefix", "prefix %s is zone %s's too", z.Prefix, other)
		}
		prefixes[z.Prefix] = z.ID
		if strings.TrimSpace(z.Name) == "" {
			return nil, errf(key+".name", "must not be empty")
		}
		for _, w := range z.Windows {
			if w < 1 || w > 999 {
				return nil, errf(key+".windows", "window %d is not 1..999", w)
			}
			if other, dup := windows[w]; dup {
				return nil, errf(key+".windows", "window %d is in zone %s and zone %s", w, other, z.ID)
			}
			windows[w] = z.ID
		}
	}
	seen := map[int]bool{}
	for i, w := range c.Windows {
		key := fmt.Sprintf("windows[%d]", i)
		if _, ok := windows[w.Number]; !ok {
			return nil, errf(key+".number", "window %d is in no zone", w.Number)
		}
		if seen[w.Number] {
			return nil, errf(key+".number", "window %d is listed twice", w.Number)
		}
		seen[w.Number] = true
		for _, h := range w.Helps {
			if !ids[h] {
				return nil, errf(key+".helps", "unknown zone %q", h)
			}
		}
	}
	return windows, nil
}

func (c *Config) validateTerminals(windows map[int]string) error {
	ids := map[string]bool{}
	tokens := map[[32]byte]bool{}
	for i, t := range c.Terminals {
		key := fmt.Sprintf("terminals[%d]", i)
		if !reTerminalID.MatchString(t.ID) {
			return errf(key+".id", "%q is not a terminal id (letters, digits, - _ .)", t.ID)
		}
		if ids[t.ID] {
			return errf(key+".id", "terminal %s is listed twice", t.ID)
		}
		ids[t.ID] = true
		if !slices.Contains([]string{RoleKiosk, RoleGuide, RoleWindow, RoleDisplay, RoleAdmin, RoleDepartment, RoleCounter}, t.Role) {
			return errf(key+".role", "%q is not one of kiosk, guide, window, display, admin, department, counter", t.Role)
		}
		if (t.Role == RoleDepartment) != (t.Department != "") {
			return errf(key+".department", "a department terminal, and only one, names its department")
		}
		if t.Role == RoleWindow || t.Role == RoleCounter {
			if _, ok := windows[t.Window]; !ok {
				return errf(key+".window", "window %d is in no zone", t.Window)
			}
		} else if t.Window != 0 {
			return errf(key+".window", "only a window or counter terminal has a window number")
		}
		sum, field, err := tokenSum(key, t)
		if err != nil {
			return err
		}
		if tokens[sum] {
			return errf(field, "the same token is given to two terminals")
		}
		tokens[sum] = true
	}
	return nil
}

func (c *Config) validateDevices(windows map[int]string) error {
	if t := c.Devices.Terminal; t != "" && len(c.Terminals) > 0 && !slices.ContainsFunc(c.Terminals, func(x Terminal) bool { return x.ID == t }) {
		return errf("devices.terminal", "no terminal %q", t)
	}
	if c.Devices.IDCard.Port != "" && c.Devices.IDCard.Baud <= 0 {
		return errf("devices.idcard.baud", "must be positive")
	}
	switch c.Devices.Printer.Width {
	case 0:
		c.Devices.Printer.Width = 80
	case 58, 80:
	default:
		return errf("devices.printer.width_mm", "%d is not 58 or 80", c.Devices.Printer.Width)
	}
	switch c.Devices.Printer.OnFailure {
	case "":
		c.Devices.Printer.OnFailure = "void"
	case "void", "hold":
	default:
		return errf("devices.printer.on_failure", "%q is not void or hold", c.Devices.Printer.OnFailure)
	}
	switch c.Devices.Scanner.Backend {
	case "", "sim", "sane", "folder":
	default:
		return errf("devices.scanner.backend", "%q is not sane, folder or sim", c.Devices.Scanner.Backend)
	}
	if c.Devices.Scanner.Backend == "folder" && c.Devices.Scanner.Folder == "" {
		return errf("devices.scanner.folder", "the folder backend needs a folder")
	}
	if rp := c.Devices.RatingPad; rp.Device != "" {
		if _, ok := windows[rp.Window]; !ok {
			return errf("devices.rating_pad.window", "window %d is in no zone", rp.Window)
		}
		switch rp.KeyMap {
		case "", "keyboard", "example-code", "example-bitmap":
		default:
			return errf("devices.rating_pad.keymap", "%q is not keyboard, example-code or example-bitmap", rp.KeyMap)
		}
	}
	if err := c.Devices.RatingPad.validateKeys(); err != nil {
		return err
	}
	for i, l := range c.Devices.LED {
		key := fmt.Sprintf("devices.led[%d]", i)
		if l.Port == "" {
			return errf(key+".port", "a serial port is needed")
		}
		if _, ok := windows[l.Window]; !ok {
			return errf(key+".window", "window %d is in no zone", l.Window)
		}
		switch l.Format {
		case "", "line":
		case "framed":
			if l.Address < 1 || l.Address > 255 {
				return errf(key+".address", "a framed screen needs an address 1 to 255")
			}
		default:
			return errf(key+".format", "%q is not line or framed", l.Format)
		}
	}
	switch c.Devices.Voice.Engine {
	case "", "off", "espeak":
	case "clips":
		if c.Devices.Voice.Clips == "" {
			return errf("devices.voice.clips", "engine clips needs the clips folder")
		}
	default:
		return errf("devices.voice.engine", "%q is not espeak, clips or off", c.Devices.Voice.Engine)
	}
	switch c.Devices.QR.Mode {
	case "", "hidpos", "keyboard":
	default:
		return errf("devices.qr.mode", "%q is not hidpos or keyboard", c.Devices.QR.Mode)
	}
	if p := c.Platform; p.URL != "" {
		if u, err := url.Parse(p.URL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return errf("platform.url", "%q is not an http(s) URL", p.URL)
		}
		if len(p.Secret) < 16 {
			return errf("platform.secret", "the webhook needs a secret of at least 16 characters to sign with")
		}
		if p.Dir != "" {
			return errf("platform.dir", "give a url or a dir, not both")
		}
	}
	if c.Upstream.URL != "" {
		if u, err := url.Parse(c.Upstream.URL); err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
			return errf("upstream.url", "%q is not an http:// or https:// URL", c.Upstream.URL)
		}
		if c.Upstream.Token == "" {
			return errf("upstream.token", "the terminal's token on the hall node is needed")
		}
	}
	if t := c.Upstream.TimeoutMS; t < 100 || t > 60000 {
		return errf("upstream.timeout_ms", "%d is not between 100 and 60000", t)
	}
	if err := c.validateDistrict(); err != nil {
		return err
	}
	if l := c.Leases; l.Size < 1 || l.Size > 500 {
		return errf("leases.size", "%d is not between 1 and 500", l.Size)
	} else if l.FirstNumber < 1 || l.FirstNumber > 9000 {
		return errf("leases.first_number", "%d is not between 1 and 9000", l.FirstNumber)
	} else if l.TTLMinutes < 1 {
		return errf("leases.ttl_minutes", "must be at least 1")
	} else if l.MaxBlocks < 1 {
		return errf("leases.max_blocks", "must be at least 1")
	}
	return nil
}

var centreCodeRE = regexp.MustCompile(`^[0-9A-Za-z][0-9A-Za-z_-]{0,31}$`)

func (c *Config) validateDistrict() error {
	d := &c.District
	if !d.Enabled() {
		if d.Hub || len(d.URL) > 0 || d.Token != "" || d.LeafListen != "" {
			return errf("district.centre", "this centre's code is needed to join a district")
		}
		return nil
	}
	if !centreCodeRE.MatchString(d.Centre) {
		return errf("district.centre", "%q is not a centre code (letters, digits, - and _, up to 32)", d.Centre)
	}
	if len(d.Token) < 16 {
		return errf("district.token", "the leaf link needs a credential of at least 16 characters")
	}
	if d.Name == "" {
		d.Name = c.Hall.Name
	}
	if d.Store == "" {
		d.Store = filepath.Join(c.DataDir, "nats")
	}
	if d.FiguresSeconds == 0 {
		d.FiguresSeconds = 30
	}
	if d.FiguresSeconds < 1 || d.FiguresSeconds > 3600 {
		return errf("district.figures_seconds", "%d is not between 1 and 3600", d.FiguresSeconds)
	}
	if c.Upstream.URL != "" {
		return errf("district.centre", "a terminal node does not join the district: its hall node does")
	}
	if d.Hub {
		if len(d.URL) > 0 {
			return errf("district.url", "the hub embeds the hub server: give leaf_listen, not url")
		}
		if _, _, err := net.SplitHostPort(d.LeafListen); err != nil {
			return errf("district.leaf_listen", "%q is not host:port", d.LeafListen)
		}
		if (d.Cert == "") != (d.Key == "") {
			return errf("district.cert", "give both cert and key, or neither")
		}
		return nil
	}
	if len(d.URL) == 0 {
		return errf("district.url", "a centre needs the hub's leaf address, e.g. nats-leaf://10.0.0.2:7422")
	}
	for i, s := range d.URL {
		u, err := url.Parse(s)
		if err != nil || u.Host == "" || !slices.Contains([]string{"nats-leaf", "nats", "tls"}, u.Scheme) {
			return errf(fmt.Sprintf("district.url[%d]", i), "%q is not nats-leaf://host:port (or tls://host:port)", s)
		}
	}
	return nil
}

// ZoneOf returns the zone that holds window n.
func (c *Config) ZoneOf(window int) (Zone, bool) {
	for _, z := range c.Zones {
		if slices.Contains(z.Windows, window) {
			return z, true
		}
	}
	return Zone{}, false
}

// DeviceTerminal returns the terminal that owns this machine's devices:
// devices.terminal, or the first kiosk terminal.
func (c *Config) DeviceTerminal() string {
	if c.Devices.Terminal != "" {
		return c.Devices.Terminal
	}
	for _, t := range c.Terminals {
		if t.Role == RoleKiosk {
			return t.ID
		}
	}
	return ""
}

// Helps returns the zones window n helps when its own zone is empty.
func (c *Config) Helps(window int) []string {
	for _, w := range c.Windows {
		if w.Number == window {
			return w.Helps
		}
	}
	return nil
}
