package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"
)

// The command table. `partnerbot help`, `help COMMAND [VERB]`,
// `COMMAND --help`, `COMMAND VERB --help`, the usage errors for a missing
// or unknown verb, and the test that walks every verb are all generated
// from these rows.
//
// To add a command, add a command row with its run function. To add a
// verb to a command, add a verb row under it and handle the verb in the
// command's run function, which receives the verb as args[0]; build the
// verb's flags with m.flags("COMMAND VERB") and parse them (parse or
// parseOpen) before doing anything else, so that --help prints the help
// from this table and the flags, and exits 0 without side effects.
// Usage mistakes return an error wrapping ErrUsage (exit 2); everything
// else that fails exits 1.
type command struct {
	name    string
	args    string // synopsis of the arguments, for a command without verbs
	summary string // one line for `partnerbot help`
	about   string // more for `partnerbot help NAME`; may be empty
	example string // a command line that works on the demo database
	verbs   []verb
	run     func(m *Main, ctx context.Context, args []string) error
}

// verb is one sub-command of a command (`partner add`).
type verb struct {
	name    string
	args    string
	summary string
	example string
}

var commandTable []command

func init() {
	commandTable = []command{
		{name: "serve", args: "[--demo] [--now RFC3339] [--listen ADDR]",
			summary: "run the bot: HTTP API, referral redirects, chat adapters, the calendar",
			about: "With no chat tokens it runs on the console: scheduled posts are printed. --now starts the\n" +
				"bot's clock at that instant and lets it run from there, to rehearse what a Monday posts.",
			example: "partnerbot serve --demo --now 2026-11-23T08:59:00+01:00", run: (*Main).serve},
		{name: "chat", args: "--as ID [--images DIR]",
			summary: "talk to the bot in the terminal as a partner, manager or admin",
			about:   "Every image the bot would post (QR codes, charts) is saved in DIR.",
			example: "partnerbot chat --as janko --images /tmp/pb", run: (*Main).chat},
		{name: "demo", args: "[--seed N]", summary: "fill an empty database with a realistic demo program",
			example: "partnerbot demo", run: (*Main).demo},
		{name: "import", args: "FILE [--format auto|ndjson|json|csv] [--dry-run]",
			summary: "import events from NDJSON, a JSON array or CSV with a header (- reads stdin)",
			about:   "An import is atomic per batch; a repeated event id is a duplicate, never counted twice.",
			example: "partnerbot import events.csv --dry-run", run: (*Main).importEvents},
		{name: "partner", summary: "manage partners", run: (*Main).partner, verbs: []verb{
			{"add", "ID [--name NAME] [--manager ID] [--slack-channel C] ...", "add a partner (a referral code is made when not given)", "partnerbot partner add janko --name 'Sklep u Janka' --manager kasia"},
			{"set", "ID [--name NAME] [--status S] ...", "change what the flags name, keep the rest", "partnerbot partner set janko --status paused"},
			{"list", "[--status S] [--manager ID] [--json]", "list partners", "partnerbot partner list --manager kasia"},
			{"show", "ID [--json]", "one partner's record and referral link", "partnerbot partner show janko"},
			{"remove", "ID [--purge]", "remove a partner (--purge also deletes its events)", "partnerbot partner remove janko"},
			{"import", "FILE [--dry-run]", "add or update partners from CSV with a header or NDJSON of partner JSON, all or nothing", "partnerbot partner import partners.csv --dry-run"},
		}},
		{name: "manager", summary: "manage account managers", run: (*Main).manager, verbs: []verb{
			{"add", "ID [--name NAME] [--slack-user U] [--discord-user U] [--escalation E]", "add a manager", "partnerbot manager add kasia --name 'Kasia Nowak' --slack-user U123"},
			{"set", "ID [--name NAME] ...", "change what the flags name, keep the rest", "partnerbot manager set kasia --escalation slack:C0ESCAL"},
			{"list", "[--json]", "list managers with their partner counts", "partnerbot manager list"},
			{"show", "ID [--json]", "one manager's record", "partnerbot manager show kasia"},
			{"remove", "ID", "remove a manager", "partnerbot manager remove kasia"},
		}},
		{name: "promo", summary: "manage promotions (the promo calendar and 48 h notices announce them)", run: (*Main).promo, verbs: []verb{
			{"add", "ID --title T --start DATE --end DATE [--segments A,B] ...", "add a promotion", "partnerbot promo add bf26 --title 'Black Friday' --start 2026-11-27 --end 2026-11-30"},
			{"set", "ID [--title T] ...", "change what the flags name, keep the rest", "partnerbot promo set bf26 --end 2026-12-01"},
			{"list", "[--all] [--json]", "current and upcoming promotions (--all: also past ones)", "partnerbot promo list --all"},
			{"remove", "ID", "remove a promotion", "partnerbot promo remove bf26"},
		}},
		{name: "stats", args: "ID [--period P] [--json]", summary: "a partner's numbers for a period against the period before",
			about:   "Periods: 2026-W47, 2026-11, 2026-Q4, 2026, 30d, week, month, or 2026-11-01..2026-11-15.",
			example: "partnerbot stats janko --period 2026-11", run: (*Main).stats},
		{name: "health", args: "[--at DATE] [--partner ID] [--status red|amber|all] [--json]",
			summary: "the health dashboard: every active partner's metrics and verdict",
			example: "partnerbot health --status red", run: (*Main).health},
		{name: "report", summary: "the Monday report", run: (*Main).report, verbs: []verb{
			{"weekly", "[--week W] [--partner ID] [--dry-run] [--images DIR]", "queue (or, with --dry-run, print) the weekly report of a week; --images saves the charts", "partnerbot report weekly --week 2026-W47 --dry-run --images /tmp/pb"},
		}},
		{name: "jobs", summary: "the communication calendar", run: (*Main).jobs, verbs: []verb{
			{"list", "[--json]", "each job's schedule, next run and last run", "partnerbot jobs list"},
			{"run", "NAME [--at TIME] [--dry-run] [--images DIR]", "run a job now for the period of --at (idempotent: a run that happened posts nothing twice)", "partnerbot jobs run care_agenda --dry-run"},
		}},
		{name: "outbox", summary: "outgoing messages and their delivery", run: (*Main).outboxCmd, verbs: []verb{
			{"list", "[--failed] [--limit N] [--json]", "the newest messages with status, attempts and reason", "partnerbot outbox list --failed"},
		}},
		{name: "rates", summary: "exchange rates: how many units of the program currency one unit of CUR is worth", run: (*Main).rates, verbs: []verb{
			{"set", "CUR RATE [--from DATE]", "set the rate in force from a day on (default today)", "partnerbot rates set USD 3.65 --from 2026-11-01"},
			{"list", "[CUR] [--json]", "the rates and the days they are in force from", "partnerbot rates list"},
		}},
		{name: "currency", summary: "the program currency, fixed in the database", run: (*Main).currencyCmd, verbs: []verb{
			{"migrate", "CUR --rate RATE", "convert every stored amount to a new program currency (1 current unit = RATE CUR), in one transaction", "partnerbot currency migrate EUR --rate 0.23"},
		}},
		{name: "hooks", summary: "webhook deliveries from the platforms of record", run: (*Main).hooksCmd, verbs: []verb{
			{"list", "[--unmatched] [--json]", "deliveries parked until a partner matches or a rate exists", "partnerbot hooks list --unmatched"},
			{"replay", "", "apply every parked delivery that now can be", "partnerbot hooks replay"},
		}},
		{name: "backup", args: "FILE", summary: "write a consistent copy of the database to FILE",
			about:   "While serve runs, back up through the API instead: GET /api/v1/backup.",
			example: "partnerbot backup /var/backups/partnerbot.db", run: (*Main).backup},
		{name: "compact", args: "", summary: "give the database's free space back to the disk (stop serve first)",
			about: "Copies every record into a new file with full pages and no free ones, checks the copy, and renames it over the database. " +
				"A bbolt file never shrinks by itself: run this after a large import, a purge, or a change of time zone, hold or currency. " +
				"It needs the database to itself and room on the disk for the copy.",
			example: "partnerbot compact", run: (*Main).compact},
		{name: "config", summary: "the configuration", run: (*Main).configCheck, verbs: []verb{
			{"check", "", "validate and print the resolved configuration, secrets masked", "partnerbot --config partnerbot.yaml config check"},
		}},
		{name: "version", args: "", summary: "print the version and the source revision it was built from",
			example: "partnerbot version", run: (*Main).version},
		{name: "help", args: "[COMMAND [VERB]]", summary: "help on a command or verb",
			example: "partnerbot help partner add", run: (*Main).help},
	}
}

// CommandLine names one command or verb of the table, for tests that walk
// them all.
type CommandLine struct {
	Command, Verb string
	// Args is the synopsis of the arguments; an upper-case word in it is a
	// required positional argument.
	Args string
}

// CommandLines lists every command, and every verb of a command that has
// verbs, in table order.
func CommandLines() []CommandLine {
	var out []CommandLine
	for _, c := range commandTable {
		if len(c.verbs) == 0 {
			out = append(out, CommandLine{Command: c.name, Args: c.args})
		}
		for _, v := range c.verbs {
			out = append(out, CommandLine{Command: c.name, Verb: v.name, Args: v.args})
		}
	}
	return out
}

func findCommand(name string) *command {
	for i := range commandTable {
		if commandTable[i].name == name {
			return &commandTable[i]
		}
	}
	return nil
}

func (c *command) verb(name string) *verb {
	for i := range c.verbs {
		if c.verbs[i].name == name {
			return &c.verbs[i]
		}
	}
	return nil
}

func (c *command) verbNames() string {
	names := make([]string, len(c.verbs))
	for i, v := range c.verbs {
		names[i] = v.name
	}
	return strings.Join(names, ", ")
}

func isHelpFlag(s string) bool { return s == "-h" || s == "-help" || s == "--help" }

// dispatch runs a command row: help for the command, the checks on its
// verb, then its run function.
func (m *Main) dispatch(ctx context.Context, c *command, args []string) error {
	if len(c.verbs) > 0 {
		switch {
		case len(args) == 0:
			m.commandHelp(m.Stderr, c)
			return fmt.Errorf("%w: %s needs one of: %s", ErrUsage, c.name, c.verbNames())
		case isHelpFlag(args[0]) || args[0] == "help":
			m.commandHelp(m.Stdout, c)
			return flag.ErrHelp
		case c.verb(args[0]) == nil:
			return fmt.Errorf("%w: %s %s: unknown verb (%s)", ErrUsage, c.name, args[0], c.verbNames())
		}
	}
	return c.run(m, ctx, args)
}

// help is `partnerbot help [COMMAND [VERB]]`.
func (m *Main) help(ctx context.Context, args []string) error {
	for _, a := range args {
		if isHelpFlag(a) {
			m.printHelp("help")
			return flag.ErrHelp
		}
	}
	if len(args) == 0 {
		m.usage()
		return nil
	}
	c := findCommand(args[0])
	if c == nil {
		return fmt.Errorf("%w: help: unknown command %q", ErrUsage, args[0])
	}
	if len(args) == 1 && len(c.verbs) > 0 {
		m.commandHelp(m.Stdout, c)
		return nil
	}
	if len(args) > 2 {
		return fmt.Errorf("%w: help [COMMAND [VERB]]", ErrUsage)
	}
	if c.name == "help" {
		m.printHelp("help")
		return nil
	}
	// The command prints its help, flags included, when asked with
	// --help: the same text as `COMMAND [VERB] --help`.
	err := m.dispatch(ctx, c, append(args[1:], "--help"))
	if err == nil {
		return fmt.Errorf("%s did not print its help", strings.Join(args, " "))
	}
	return err
}

// commandHelp lists a command's verbs.
func (m *Main) commandHelp(w io.Writer, c *command) {
	fmt.Fprintf(w, "partnerbot %s — %s\n\nusage: partnerbot %s VERB [ARGS]\n\n", c.name, c.summary, c.name)
	for _, v := range c.verbs {
		fmt.Fprintf(w, "  %-7s %s\n", v.name, v.summary)
	}
	fmt.Fprintf(w, "\nexample: %s\nrun 'partnerbot help %s VERB' for a verb's arguments and flags\n", c.verbs[0].example, c.name)
}

// printHelp prints the help of "COMMAND" or "COMMAND VERB" from the
// table, followed by the flags fs defines, if any.
func (m *Main) printHelp(name string, fs ...*flag.FlagSet) {
	w := m.Stdout
	parts := strings.Fields(name)
	c := findCommand(parts[0])
	if c == nil {
		return
	}
	args, summary, about, example := c.args, c.summary, c.about, c.example
	if len(parts) > 1 {
		if v := c.verb(parts[1]); v != nil {
			args, summary, about, example = v.args, v.summary, "", v.example
		}
	}
	fmt.Fprintf(w, "partnerbot %s — %s\n\nusage: %s\n", name, summary, strings.TrimSpace("partnerbot "+name+" "+args))
	if about != "" {
		fmt.Fprintf(w, "\n%s\n", about)
	}
	if len(fs) > 0 {
		var b strings.Builder
		fs[0].VisitAll(func(f *flag.Flag) {
			if f.Name == "config" || f.Name == "db" {
				return
			}
			kind, usage := flag.UnquoteUsage(f)
			if kind == "value" {
				// A flag of our own type: name its value after the flag.
				parts := strings.Split(f.Name, "-")
				kind = strings.ToUpper(parts[len(parts)-1])
			}
			arg := "--" + f.Name
			if kind != "" {
				arg += " " + kind
			}
			def := ""
			if f.DefValue != "" && f.DefValue != "false" && f.DefValue != "0" {
				def = fmt.Sprintf(" (default %s)", f.DefValue)
			}
			fmt.Fprintf(&b, "  %-24s %s%s\n", arg, usage, def)
		})
		if b.Len() > 0 {
			fmt.Fprintf(w, "\nflags:\n%s", b.String())
		}
	}
	fmt.Fprintf(w, "\nexample:\n  %s\n", example)
	fmt.Fprintln(w, "\nGlobal flags: --config PATH (env PARTNERBOT_CONFIG), --db PATH (env PARTNERBOT_DB).")
}

func (m *Main) usage() {
	w := m.Stdout
	fmt.Fprintln(w, "partnerbot — the partner program's chat bot")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "usage: partnerbot [--config PATH] [--db PATH] COMMAND [ARGS]")
	fmt.Fprintln(w)
	for _, c := range commandTable {
		fmt.Fprintf(w, "  %-8s %s\n", c.name, c.summary)
		if len(c.verbs) > 0 {
			fmt.Fprintf(w, "  %-8s   %s\n", "", strings.ReplaceAll(c.verbNames(), ", ", " · "))
		}
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "'partnerbot help COMMAND' or 'partnerbot COMMAND --help' tells more. Every listing takes --json.")
	fmt.Fprintln(w, "Exit codes: 0 done, 1 failed, 2 bad usage.")
	fmt.Fprintln(w, "Environment: PARTNERBOT_CONFIG, PARTNERBOT_DB, PARTNERBOT_API_TOKEN, SLACK_BOT_TOKEN,")
	fmt.Fprintln(w, "SLACK_APP_TOKEN, SLACK_SIGNING_SECRET, DISCORD_BOT_TOKEN, DISCORD_APP_ID, DISCORD_PUBLIC_KEY.")
}
