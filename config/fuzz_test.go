package config

import (
	"os"
	"testing"

	"partnerbot/bot"
)

// FuzzParse: any file content is a config that validates, or an
// EINVALID error listing problems; never a panic, never a config that
// Validate would refuse.
func FuzzParse(f *testing.F) {
	if b, err := os.ReadFile("example.yaml"); err == nil {
		f.Add(b)
	}
	for _, s := range []string{"", "program:\n  name: X\n", "program: [", "http:\n  trusted_proxies: [10.0.0.0/8, \"::1\", x]\n",
		"jobs:\n  weekly_report:\n    cron: \"0 9 * * 1\"\n", "a: &a [*a]\n", "program:\n  currency: jpy\n", "caps: {weekly_max: -1}\n",
		"ingest:\n  max_request_events: 0\n", "\t\n", "? [a]\n: b\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := parse("fuzz.yaml", data)
		if err != nil {
			if code := bot.ErrorCode(err); code != bot.EINVALID {
				t.Fatalf("parse error %v is %q, not EINVALID", err, code)
			}
			return
		}
		if err := c.Validate(); err != nil {
			t.Fatalf("a parsed config does not validate: %v", err)
		}
	})
}
