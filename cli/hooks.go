package cli

import (
	"context"
	"flag"
	"fmt"
	"os"
	"sort"
	"strings"

	"partnerbot/hooks"
	"partnerbot/ingest"
	"partnerbot/store"
)

// reapplyParked applies the parked webhook deliveries a change may have
// unblocked (a partner gained an id or coupon), and says so.
func (m *Main) reapplyParked(ctx context.Context, s *store.Store) error {
	n, left, err := hooks.Reapply(ctx, s, m.log)
	if err != nil {
		return fmt.Errorf("apply parked webhooks: %w", err)
	}
	if n > 0 {
		fmt.Fprintf(m.Stdout, "%d parked webhook deliveries applied (%d still parked)\n", n, left)
	}
	return nil
}

func (m *Main) importPartners(ctx context.Context, fs *flag.FlagSet, args []string) error {
	dryRun := fs.Bool("dry-run", false, "check the whole file and store nothing")
	pos, err := parse(fs, args, 1, 1, "FILE [--dry-run]")
	if err != nil {
		return err
	}
	name := pos[0]
	f := m.Stdin
	if name != "-" {
		file, err := os.Open(name)
		if err != nil {
			return err
		}
		defer file.Close()
		f = file
	}
	ps, lines, err := ingest.ParsePartners(f)
	if err != nil {
		return fmt.Errorf("%s: %w (nothing was stored)", name, err)
	}
	s, err := m.openStore()
	if err != nil {
		return err
	}
	created, updated, err := s.PutPartners(ctx, ps, lines, *dryRun)
	if err != nil {
		return fmt.Errorf("%s: %w (nothing was stored)", name, err)
	}
	if *dryRun {
		fmt.Fprintf(m.Stdout, "%s: %d partners are valid, %d would be added, %d updated (dry run: nothing stored)\n", name, len(ps), created, updated)
		return nil
	}
	fmt.Fprintf(m.Stdout, "%s: %d partners, %d added, %d updated\n", name, len(ps), created, updated)
	return m.reapplyParked(ctx, s)
}

func (m *Main) hooksCmd(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return fmt.Errorf("%w: hooks list|replay", ErrUsage)
	}
	verb, args := args[0], args[1:]
	fs := m.flags("hooks " + verb)
	switch verb {
	case "list":
		unmatched := fs.Bool("unmatched", false, "only deliveries no partner matches")
		asJSON := fs.Bool("json", false, "print JSON")
		_, s, err := m.parseOpen(fs, args, 0, 0, "[--unmatched] [--json]")
		if err != nil {
			return err
		}
		out, err := hooks.New(hooks.Options{Store: s, Logger: m.log}).Parked(ctx, *unmatched)
		if err != nil {
			return err
		}
		if *asJSON {
			return m.printJSON(out)
		}
		loc := m.cfg.Location()
		rows := make([][]string, len(out))
		byReason := map[string]int{}
		for i, p := range out {
			rows[i] = []string{p.Received.In(loc).Format("2006-01-02 15:04"), p.Platform, p.Key, p.Reason, p.Detail}
			byReason[p.Reason]++
		}
		m.table([]string{"RECEIVED", "PLATFORM", "KEY", "REASON", "DETAIL"}, rows)
		var parts []string
		for r, n := range byReason {
			parts = append(parts, fmt.Sprintf("%d %s", n, r))
		}
		sort.Strings(parts)
		if len(parts) == 0 {
			fmt.Fprintln(m.Stdout, "0 parked deliveries")
		} else {
			fmt.Fprintf(m.Stdout, "%d parked deliveries (%s)\n", len(out), strings.Join(parts, ", "))
		}
		return nil
	case "replay":
		_, s, err := m.parseOpen(fs, args, 0, 0, "")
		if err != nil {
			return err
		}
		n, left, err := hooks.Reapply(ctx, s, m.log)
		if err != nil {
			return err
		}
		fmt.Fprintf(m.Stdout, "%d parked deliveries applied, %d still parked\n", n, left)
		return nil
	}
	return fmt.Errorf("%w: hooks %s: unknown verb (list, replay)", ErrUsage, verb)
}
