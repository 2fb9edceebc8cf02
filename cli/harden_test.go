package cli_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"partnerbot/store"
)

// TestCLI_ImportStdinIsAtomic: standard input gets the same check pass
// as a named file, so one bad line among thousands stores nothing, and a
// dry run from standard input counts truthfully.
func TestCLI_ImportStdinIsAtomic(t *testing.T) {
	r := newRun(t)
	r.must("partner", "add", "janko", "--name", "Sklep u Janka", "--joined", "2025-03-01")
	var b strings.Builder
	for i := range 6000 {
		fmt.Fprintf(&b, `{"id":"s%d","type":"sale","partner":"janko","at":"2026-11-16T10:15:00+01:00","amount":"1.00"}`+"\n", i)
	}
	good := b.String()
	r.stdin = good + `{"id":"bad","type":"sale","partner":"ghost","at":"2026-11-16T10:15:00+01:00","amount":"1.00"}` + "\n"
	if code := r.cmd("import", "-"); code != 1 || !strings.Contains(r.errOut, "line 6001") || !strings.Contains(r.errOut, "nothing was stored") {
		t.Fatalf("bad stdin import: %d %s", code, r.errOut)
	}
	if out := r.must("stats", "janko", "--period", "2026-11", "--json"); !strings.Contains(out, `"sales": 0`) {
		t.Fatalf("a refused stdin import stored events: %s", out)
	}
	r.stdin = good
	if out := r.must("import", "-", "--dry-run"); !strings.Contains(out, "6000 events are valid") {
		t.Fatalf("stdin dry run: %s", out)
	}
	if out := r.must("import", "-"); !strings.Contains(out, "6000 accepted") {
		t.Fatalf("stdin import: %s", out)
	}

	t.Run("nothing to import", func(t *testing.T) {
		for name, content := range map[string]string{"empty.ndjson": "", "header.csv": "id;type;partner;at;amount\n", "blank.ndjson": "\n\n"} {
			if code := r.cmd("import", r.file(name, content)); code != 1 || !strings.Contains(r.errOut, "no events") {
				t.Errorf("%s: exit %d %s", name, code, r.errOut)
			}
		}
		r.stdin = ""
		if code := r.cmd("import", "-", "--dry-run"); code != 1 || !strings.Contains(r.errOut, "no events") {
			t.Errorf("empty stdin dry run: exit %d %s", code, r.errOut)
		}
	})
}

// TestCLI_JoinedDate refuses joined dates that are a typo of the year.
func TestCLI_JoinedDate(t *testing.T) {
	r := newRun(t)
	for _, d := range []string{"1899-03-01", "1989-12-31", "2036-11-01"} {
		if code := r.cmd("partner", "add", "p1", "--name", "P", "--joined", d); code != 1 || !strings.Contains(r.errOut, "check the year") {
			t.Errorf("joined %s: exit %d %s", d, code, r.errOut)
		}
	}
	r.must("partner", "add", "p1", "--name", "P", "--joined", "1990-01-01")
	if code := r.cmd("partner", "set", "p1", "--joined", "2999-01-01"); code != 1 || !strings.Contains(r.errOut, "joined") {
		t.Errorf("set joined far ahead: exit %d %s", code, r.errOut)
	}
}

// TestCLI_ReadOnlyVerbsCreateNothing: a mistyped --db fails with a
// sentence naming the path, and no file appears.
func TestCLI_ReadOnlyVerbsCreateNothing(t *testing.T) {
	r := newRun(t)
	missing := filepath.Join(r.dir, "typo.db")
	for _, args := range [][]string{
		{"stats", "janko"}, {"partner", "list"}, {"partner", "show", "janko"}, {"manager", "list"}, {"manager", "show", "kasia"},
		{"health"}, {"outbox", "list"}, {"jobs", "list"}, {"report", "weekly", "--dry-run"}, {"promo", "list"},
		{"import", "--dry-run", r.file("e.ndjson", `{"id":"a","type":"click","partner":"janko","at":"2026-11-16T10:15:00+01:00"}`+"\n")},
		{"jobs", "run", "weekly_report", "--dry-run"}, {"backup", filepath.Join(r.dir, "b.db")},
		{"hooks", "list"}, {"hooks", "list", "--unmatched"}, {"rates", "list"}, {"chat", "--as", "admin"},
	} {
		code := r.cmd(append([]string{"--db", missing}, args...)...)
		if code == 0 || !strings.Contains(r.errOut, "no database at "+missing) {
			t.Errorf("%v: exit %d %s", args, code, r.errOut)
		}
		if _, err := os.Stat(missing); !os.IsNotExist(err) {
			t.Fatalf("%v created %s", args, missing)
		}
	}
}

// TestCLI_Backup refuses the live file and names a file in a directory.
func TestCLI_Backup(t *testing.T) {
	r := newRun(t)
	r.must("partner", "add", "janko", "--name", "Sklep u Janka", "--joined", "2025-03-01")
	live := filepath.Join(r.dir, "pb.db")
	before, _ := os.ReadFile(live)
	for _, dest := range []string{live, filepath.Join(r.dir, ".", "pb.db")} {
		if code := r.cmd("backup", dest); code != 1 || !strings.Contains(r.errOut, "live database") {
			t.Errorf("backup onto %s: exit %d %s", dest, code, r.errOut)
		}
	}
	if after, _ := os.ReadFile(live); len(after) != len(before) {
		t.Fatalf("the live database changed size: %d → %d", len(before), len(after))
	}
	dir := filepath.Join(r.dir, "backups") + "/"
	out := r.must("backup", dir)
	want := filepath.Join(r.dir, "backups", "partnerbot-"+now.In(mustZone(t, "Europe/Warsaw")).Format("20060102-150405")+".db")
	if !strings.Contains(out, want) {
		t.Fatalf("backup into a directory: %s, want %s", out, want)
	}
	r2 := &run{t: t, dir: r.dir, env: map[string]string{}}
	if code := r2.cmd("--db", want, "partner", "show", "janko"); code != 0 || !strings.Contains(r2.out, "Sklep u Janka") {
		t.Fatalf("the backup does not open: %d %s %s", code, r2.out, r2.errOut)
	}
}

// compact gives a demo database's free space back, and every figure
// stays; while another process holds the file it refuses, saying what
// to do.
func TestCLI_Compact(t *testing.T) {
	r := newRun(t)
	r.must("demo")
	ids := r.must("partner", "list", "--json")
	var partners []struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal([]byte(ids), &partners); err != nil || len(partners) == 0 {
		t.Fatalf("partner list: %v %s", err, ids)
	}
	// A purge leaves free pages behind.
	r.must("partner", "remove", partners[len(partners)-1].ID, "--purge")
	partners = partners[:len(partners)-1]
	stats := func() []string {
		var out []string
		for _, p := range partners {
			out = append(out, r.must("stats", p.ID, "--period", "2026", "--json"))
		}
		return out
	}
	before := stats()
	live := filepath.Join(r.dir, "pb.db")
	fi, _ := os.Stat(live)
	out := r.must("compact")
	if !strings.Contains(out, "compacted "+live) || !strings.Contains(out, "given back") {
		t.Fatalf("compact: %s", out)
	}
	if after, _ := os.Stat(live); after.Size() >= fi.Size() {
		t.Fatalf("compaction left %d bytes of %d", after.Size(), fi.Size())
	}
	if after := stats(); !reflect.DeepEqual(after, before) {
		t.Fatalf("stats changed by compaction:\n%v\n%v", after, before)
	}

	s, err := store.Open(live, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if code := r.cmd("compact"); code != 1 || !strings.Contains(r.errOut, "stop partnerbot serve") {
		t.Fatalf("compact while the file is held: exit %d %s", code, r.errOut)
	}
}
