package metrics

import (
	"os"
	"os/exec"
	"regexp"
	"testing"
)

// TestAlertingRules checks the example rules with promtool when it is
// installed, and that every series they use is one partnerbot exposes.
func TestAlertingRules(t *testing.T) {
	const path = "../deploy/prometheus/partnerbot-rules.yml"
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	exposed := map[string]bool{
		"partnerbot_job_last_success_timestamp_seconds": true, "partnerbot_job_failures_total": true,
		"partnerbot_outbox_oldest_pending_seconds": true, "partnerbot_outbox_pending": true,
		"partnerbot_outbox_total": true, "partnerbot_platform_errors_total": true,
		"partnerbot_platform_rate_limited_total": true, "partnerbot_webhook_deliveries_total": true,
	}
	for _, name := range regexp.MustCompile(`partnerbot_[a-z_]+`).FindAllString(string(raw), -1) {
		if !exposed[name] {
			t.Errorf("the rules use %s, which partnerbot does not expose", name)
		}
	}
	promtool, err := exec.LookPath("promtool")
	if err != nil {
		t.Skip("promtool not on PATH")
	}
	out, err := exec.Command(promtool, "check", "rules", path).CombinedOutput()
	if err != nil {
		t.Fatalf("promtool check rules: %v\n%s", err, out)
	}
}
