package slack

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"partnerbot/commands"
)

var update = flag.Bool("update", false, "rewrite slack-app-manifest.yaml from the command registry")

// manifestPath is the committed manifest, at the repository root.
var manifestPath = filepath.Join("..", "..", "slack-app-manifest.yaml")

func TestManifest_Golden(t *testing.T) {
	got := Manifest(commands.New(commands.Options{}).Specs())
	if *update {
		if err := os.WriteFile(manifestPath, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(manifestPath)
	if err != nil {
		t.Fatalf("%v (run go test ./bot/slack -update to write it)", err)
	}
	if got != string(want) {
		t.Errorf("%s is out of date with the command registry; run go test ./bot/slack -update", manifestPath)
	}
}

func TestManifest_Valid(t *testing.T) {
	specs := commands.New(commands.Options{}).Specs()
	var m struct {
		Features struct {
			AppHome struct {
				Home     bool `yaml:"home_tab_enabled"`
				Messages bool `yaml:"messages_tab_enabled"`
			} `yaml:"app_home"`
			BotUser struct {
				DisplayName string `yaml:"display_name"`
			} `yaml:"bot_user"`
			SlashCommands []struct {
				Command      string `yaml:"command"`
				Description  string `yaml:"description"`
				UsageHint    string `yaml:"usage_hint"`
				ShouldEscape *bool  `yaml:"should_escape"`
			} `yaml:"slash_commands"`
		} `yaml:"features"`
		OAuth struct {
			Scopes struct {
				Bot []string `yaml:"bot"`
			} `yaml:"scopes"`
		} `yaml:"oauth_config"`
		Settings struct {
			Events struct {
				BotEvents []string `yaml:"bot_events"`
			} `yaml:"event_subscriptions"`
			Interactivity struct {
				Enabled bool `yaml:"is_enabled"`
			} `yaml:"interactivity"`
			SocketMode bool `yaml:"socket_mode_enabled"`
		} `yaml:"settings"`
	}
	if err := yaml.Unmarshal([]byte(Manifest(specs)), &m); err != nil {
		t.Fatalf("manifest is not YAML: %v", err)
	}
	if len(m.Features.SlashCommands) != len(specs) {
		t.Fatalf("%d slash commands, want %d", len(m.Features.SlashCommands), len(specs))
	}
	for i, sc := range m.Features.SlashCommands {
		sp := specs[i]
		if sc.Command != "/"+sp.Name || sc.Description == "" || strings.HasPrefix(sc.Description, "[") ||
			sc.ShouldEscape == nil || *sc.ShouldEscape {
			t.Errorf("command %d = %+v", i, sc)
		}
		if len(sp.Args) > 0 && sc.UsageHint == "" {
			t.Errorf("%s has arguments but no usage hint", sc.Command)
		}
	}
	// Exactly the scopes the adapter's calls need: chat.postMessage,
	// chat.postEphemeral and chat.update (chat:write; .public for partner
	// channels the bot was not invited to), conversations.open (im:write),
	// conversations.history for Posted and message events (the three
	// history scopes), the chart and QR upload (files:write). views.open
	// and views.publish need none; users:read was never used.
	if got, want := strings.Join(m.OAuth.Scopes.Bot, " "), "commands chat:write chat:write.public im:write im:history channels:history groups:history files:write"; got != want {
		t.Errorf("scopes = %s, want %s", got, want)
	}
	for _, sc := range m.Features.SlashCommands {
		if sc.Command == "/invite" {
			t.Errorf("the manifest claims /invite, Slack's own command")
		}
	}
	if got := strings.Join(m.Settings.Events.BotEvents, " "); got != "app_home_opened message.channels message.groups message.im" {
		t.Errorf("bot events = %s", got)
	}
	if !m.Features.AppHome.Home || !m.Features.AppHome.Messages || !m.Settings.Interactivity.Enabled || !m.Settings.SocketMode ||
		m.Features.BotUser.DisplayName != "partnerbot" {
		t.Errorf("manifest settings = %+v", m)
	}
}
