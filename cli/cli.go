// Package cli is partnerbot's command line: `serve` runs the bot, the
// other verbs manage the ledger from a shell. main.go only hands it the
// process's arguments, streams and environment, so end-to-end tests drive
// the very same code with temp dirs and :0 ports.
package cli

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"sort"
	"strings"
	"time"

	"partnerbot/bot"
	"partnerbot/config"
	"partnerbot/store"
)

// Main is one run of the partnerbot program.
type Main struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	Getenv         func(string) string

	// Clock is the program's clock; nil means the system clock (serve
	// --now replaces it).
	Clock bot.Clock

	// Ready, when set, receives the HTTP server's address once serve
	// listens: how tests find a :0 port.
	Ready func(addr string)

	configPath string
	dbPath     string
	cfg        *config.Config
	log        *slog.Logger
	store      *store.Store
	mayCreate  bool // the command may create a database that does not exist
	// onJobRun hears the scheduler's runs (serve's metrics).
	onJobRun func(job string, finished time.Time, err error)
}

// ErrUsage marks a mistake in the command line; the exit code is 2.
var ErrUsage = errors.New("usage")

// New returns a Main wired to the process.
func New() *Main {
	return &Main{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv}
}

// Run runs the command line args (without the program name) and returns
// the process exit code: 0 done, 1 failed, 2 bad usage.
func (m *Main) Run(ctx context.Context, args []string) int {
	err := m.run(ctx, args)
	defer m.Close()
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.Is(err, ErrUsage):
		fmt.Fprintln(m.Stderr, "partnerbot:", strings.TrimPrefix(err.Error(), "usage: "))
		fmt.Fprintln(m.Stderr, "run 'partnerbot help' for the commands")
		return 2
	}
	msg := err.Error()
	if bot.ErrorCode(err) == bot.EINTERNAL && m.log != nil {
		m.log.Debug("command failed", "err", err)
	}
	fmt.Fprintln(m.Stderr, "partnerbot:", msg)
	return 1
}

// Close releases what the command opened.
func (m *Main) Close() error {
	if m.store != nil {
		err := m.store.Close()
		m.store = nil
		return err
	}
	return nil
}

func (m *Main) run(ctx context.Context, args []string) error {
	if m.Clock == nil {
		m.Clock = bot.SystemClock{}
	}
	fs := m.flags("partnerbot")
	if err := fs.Parse(args); err != nil {
		return err
	}
	args = fs.Args()
	if len(args) == 0 || isHelpFlag(args[0]) {
		m.usage()
		return nil
	}
	if c := findCommand(args[0]); c != nil {
		m.mayCreate = createsDatabase(args)
		return m.dispatch(ctx, c, args[1:])
	}
	return fmt.Errorf("%w: unknown command %q", ErrUsage, args[0])
}

// flags returns a flag set that knows the global flags, so they may
// stand before or after the command.
func (m *Main) flags(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(m.Stderr)
	fs.Usage = func() {
		if name == "partnerbot" {
			m.usage()
			return
		}
		m.printHelp(name, fs)
	}
	fs.StringVar(&m.configPath, "config", m.configPath, "config `file` (env PARTNERBOT_CONFIG)")
	fs.StringVar(&m.dbPath, "db", m.dbPath, "database `file` (env PARTNERBOT_DB)")
	return fs
}

// parse parses flags and positional arguments in any order
// ("stats janko --period 2026-11") and checks the positional count.
func parse(fs *flag.FlagSet, args []string, minPos, maxPos int, posNames string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			return nil, fmt.Errorf("%w: %s: %v", ErrUsage, fs.Name(), err)
		}
		rest := fs.Args()
		if len(rest) == 0 {
			break
		}
		if rest[0] == "--" {
			pos = append(pos, rest[1:]...)
			break
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
	if len(pos) < minPos || (maxPos >= 0 && len(pos) > maxPos) {
		if maxPos == 0 {
			return nil, fmt.Errorf("%w: %s takes no arguments, got %q", ErrUsage, fs.Name(), strings.Join(pos, " "))
		}
		return nil, fmt.Errorf("%w: %s %s", ErrUsage, fs.Name(), posNames)
	}
	return pos, nil
}

// parseOpen parses a command's flags and positional arguments, then opens
// the database: what most verbs do first.
func (m *Main) parseOpen(fs *flag.FlagSet, args []string, minPos, maxPos int, posNames string) ([]string, *store.Store, error) {
	pos, err := parse(fs, args, minPos, maxPos, posNames)
	if err != nil {
		return nil, nil, err
	}
	s, err := m.openStore()
	return pos, s, err
}

// loadConfig reads the config file (flag, then PARTNERBOT_CONFIG, then
// none) and the environment's secrets.
func (m *Main) loadConfig() (*config.Config, error) {
	if m.cfg != nil {
		return m.cfg, nil
	}
	path := m.configPath
	if path == "" {
		path = m.Getenv("PARTNERBOT_CONFIG")
	}
	cfg, err := config.Load(path)
	if err != nil {
		return nil, err
	}
	cfg.ApplyEnv(m.Getenv)
	if m.dbPath != "" {
		cfg.DB.Path = m.dbPath
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	m.cfg = cfg
	m.log = newLogger(m.Stderr, cfg.Log)
	return cfg, nil
}

func newLogger(w io.Writer, c config.Log) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(c.Level))
	opts := &slog.HandlerOptions{Level: level}
	if c.Format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// createsDatabase reports whether a command line may create the database
// when it does not exist: serve, demo, and the verbs that add or import.
// Everything else (listings, stats, health, dry runs, backups) only reads,
// so a mistyped --db fails instead of leaving a new empty database behind.
func createsDatabase(args []string) bool {
	for _, a := range args {
		if a == "--dry-run" || a == "-dry-run" || strings.HasPrefix(a, "--dry-run=") {
			return false
		}
	}
	verb := strings.Join(args[:min(2, len(args))], " ")
	switch verb {
	case "partner add", "partner set", "partner import", "manager add", "manager set", "promo add", "promo set",
		"rates set", "jobs run", "report weekly":
		return true
	}
	switch args[0] {
	case "serve", "demo", "import":
		return true
	}
	return false
}

// openStore opens the database the config names. Unless the command may
// create it, a database that does not exist is an error naming the path.
func (m *Main) openStore() (*store.Store, error) {
	if m.store != nil {
		return m.store, nil
	}
	cfg, err := m.loadConfig()
	if err != nil {
		return nil, err
	}
	return m.openStoreWith(cfg.DB.Path, cfg.Program.Currency)
}

// openStoreWith opens the database at path expecting currency as its
// program currency ("" takes the file's own).
func (m *Main) openStoreWith(path, currency string) (*store.Store, error) {
	if m.store != nil {
		return m.store, nil
	}
	cfg := m.cfg
	if !m.mayCreate {
		if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("there is no database at %s: check --db or PARTNERBOT_DB (only serve, demo, import and the add verbs create one)", path)
		}
	}
	s, err := store.Open(path, store.Options{
		Location:      cfg.Location(),
		LockTimeout:   time.Duration(cfg.DB.LockTimeout),
		Clock:         m.Clock,
		DefaultLocale: cfg.Program.Locale,
		Currency:      currency,
		HoldDays:      holdDays(cfg.Commissions.HoldDays),
	})
	if err != nil {
		return nil, err
	}
	m.store = s
	return s, nil
}

// holdDays maps commissions.hold_days to store.Options.HoldDays, where
// zero means the default.
func holdDays(n int) int {
	if n == 0 {
		return -1
	}
	return n
}

func (m *Main) today() bot.Date { return bot.DateOf(m.Clock.Now(), m.cfg.Location()) }

func (m *Main) printJSON(v any) error {
	enc := json.NewEncoder(m.Stdout)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// table prints rows with aligned columns.
func (m *Main) table(header []string, rows [][]string) {
	width := make([]int, len(header))
	for _, r := range append([][]string{header}, rows...) {
		for i, c := range r {
			width[i] = max(width[i], len([]rune(c)))
		}
	}
	for _, r := range append([][]string{header}, rows...) {
		var b strings.Builder
		for i, c := range r {
			if i > 0 {
				b.WriteString("  ")
			}
			b.WriteString(c)
			if i < len(r)-1 {
				b.WriteString(strings.Repeat(" ", width[i]-len([]rune(c))))
			}
		}
		fmt.Fprintln(m.Stdout, b.String())
	}
}

func sortedKeys[M ~map[string]V, V any](mp M) []string {
	ks := make([]string, 0, len(mp))
	for k := range mp {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}
