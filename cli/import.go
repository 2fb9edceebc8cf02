package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"

	"partnerbot/ingest"
)

func (m *Main) importEvents(ctx context.Context, args []string) error {
	fs := m.flags("import")
	format := fs.String("format", "auto", "auto, ndjson, json or csv")
	dryRun := fs.Bool("dry-run", false, "check the whole file and store nothing")
	pos, err := parse(fs, args, 1, 1, "FILE [--format F] [--dry-run]")
	if err != nil {
		return err
	}
	f, err := ingest.ParseFormat(*format)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrUsage, err)
	}
	cfg, err := m.loadConfig()
	if err != nil {
		return err
	}
	name := pos[0]
	var file *os.File
	if name == "-" {
		// Two passes need a file to rewind: spool standard input.
		file, err = os.CreateTemp("", "partnerbot-import-*")
		if err != nil {
			return err
		}
		defer os.Remove(file.Name())
		if _, err := io.Copy(file, m.Stdin); err != nil {
			return fmt.Errorf("read standard input: %w", err)
		}
		name = "stdin"
	} else if file, err = os.Open(name); err != nil {
		return err
	}
	defer file.Close()
	s, err := m.openStore()
	if err != nil {
		return err
	}
	start := time.Now()
	res, err := ingest.ImportFile(ctx, file, s, ingest.ImportOptions{
		Format: f, Currency: cfg.Currency(), Now: m.Clock.Now(), MaxFuture: time.Duration(cfg.Ingest.MaxFuture),
		BatchSize: cfg.Ingest.BatchSize, DryRun: *dryRun,
	})
	if err != nil {
		if res.Accepted > 0 {
			return fmt.Errorf("%s: %w\n%d events were stored before the failure; fix the cause and run the import again: stored events count as duplicates", name, err, res.Accepted)
		}
		return fmt.Errorf("%s: %w (nothing was stored)", name, err)
	}
	took := time.Since(start).Round(time.Millisecond)
	if *dryRun {
		fmt.Fprintf(m.Stdout, "%s: %d events are valid (dry run: nothing stored)\n", name, res.Events)
		return nil
	}
	fmt.Fprintf(m.Stdout, "%s: %d events, %d accepted, %d duplicates (%s)\n", name, res.Events, res.Accepted, res.Duplicates, took)
	return nil
}
