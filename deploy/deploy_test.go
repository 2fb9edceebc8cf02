// Package deploy holds examples for running partnerbot: a systemd unit
// and Prometheus alerting rules. Its tests check them with the tools
// that read them, when those are installed.
package deploy

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestSystemdUnit checks partnerbot.service with systemd-analyze verify,
// which exits 0 even for unknown keys and bad values, so any complaint
// it prints fails the test. The binary's path is pointed at a stand-in,
// since verify wants an executable there.
func TestSystemdUnit(t *testing.T) {
	raw, err := os.ReadFile("partnerbot.service")
	if err != nil {
		t.Fatal(err)
	}
	unit := string(raw)
	for _, want := range []string{"Restart=on-failure", "DynamicUser=yes", "StateDirectory=partnerbot", "EnvironmentFile=",
		"ExecStart=/usr/local/bin/partnerbot serve"} {
		if !strings.Contains(unit, want) {
			t.Errorf("the unit lacks %s", want)
		}
	}
	analyze, err := exec.LookPath("systemd-analyze")
	if err != nil {
		t.Skip("systemd-analyze not on PATH")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "partnerbot")
	if err := os.WriteFile(bin, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "partnerbot.service")
	if err := os.WriteFile(path, []byte(strings.ReplaceAll(unit, "/usr/local/bin/partnerbot", bin)), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(analyze, "verify", path).CombinedOutput()
	if err != nil || len(strings.TrimSpace(string(out))) > 0 {
		t.Fatalf("systemd-analyze verify: %v\n%s", err, out)
	}
}
